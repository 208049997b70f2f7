#!/usr/bin/env python3
"""Seed corpus of the secrets fuzzer: one file per rule shape, with values made up here by a fixed
PRNG (not real keys). Byte 0 picks the path in secrets_fuzzer.c (bit 7: a YAML config), byte 1
seeds the chunk split. Run from the repository root: python3 tests/fuzz/gen_secrets_corpora.py"""
import base64, os, random

r = random.Random(20261203)
AL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
def rnd(s, n): return "".join(r.choice(s) for _ in range(n))

def b64u(s): return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")

seeds = {
    "alibaba_env": (0, f"ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI{rnd(AL, 20)}\nALIBABA_CLOUD_ACCESS_KEY_SECRET={rnd(AL, 30)}\n"),
    "alibaba_near": (5, f"ak = 'LTAI{rnd(AL, 16)}'\nsk = {rnd(AL, 30)}\n"),
    "aws": (6, f"[default]\naws_access_key_id = AKIA{rnd(UP, 16)}\naws_secret_access_key = {rnd(AL + '+/', 40)}\n"),
    "tencent": (6, f"SecretId=AKID{rnd(AL, 32)}\nSecretKey={rnd(AL, 32)}\n"),
    "huawei_csv": (5, f"User Name,Access Key Id,Secret Access Key\nbob,{rnd(UP, 20)},{rnd(AL, 40)}\n"),
    "gcp": (6, '{\n "type": "service_account",\n "private_key": "-----BEGIN PRIVATE KEY-----\\n'
               + rnd(AL, 64) + '\\n-----END PRIVATE KEY-----\\n"\n}\n'),
    "azure": (6, f"conn=DefaultEndpointsProtocol=https;AccountName=a;AccountKey={rnd(AL + '+/', 86)}==;\n"),
    "github": (5, f"GH=ghp_{rnd(AL, 36)}\nPAT=github_pat_{rnd(AL + '_', 82)}\n"),
    "gitlab_slack_stripe": (5, f"a glpat-{rnd(AL, 20)}\nb xoxb-{rnd('0123456789', 12)}-{rnd('0123456789', 12)}-{rnd(AL, 24)}\n"
                               f"c https://hooks.slack.com/services/T{rnd(UP, 9)}/B{rnd(UP, 9)}/{rnd(AL, 24)}\nd sk_live_{rnd(AL, 30)}\n"),
    "docker": (3, '{\n\t"auths": {\n\t\t"r.io": {\n\t\t\t"auth": "' + base64.b64encode(f"u:{rnd(AL, 20)}".encode()).decode()
                  + '"\n\t\t}\n\t}\n}\n'),
    "kube": (4, f"apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    client-key-data: "
                f"{base64.b64encode(b'-----BEGIN RSA PRIVATE KEY-----').decode()}{rnd(AL, 40)}\n    token: {rnd(AL, 40)}\n"),
    "npmrc": (1, f"//registry.npmjs.org/:_authToken=npm_{rnd(AL, 36)}\n_auth = {rnd(AL, 20)}\n"),
    "pypirc": (2, f"[pypi]\nusername = u\npassword = {rnd(AL, 14)}\n"),
    "jwt": (5, "Bearer " + b64u('{"alg":"HS256","typ":"JWT"}') + "." + b64u('{"sub":"1"}') + "." + rnd(AL + "-_", 43) + "\n"),
    "pem": (5, f"-----BEGIN RSA PRIVATE KEY-----\n{rnd(AL, 64)}\n-----END RSA PRIVATE KEY-----\n"
               f"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE{rnd(AL, 40)}\n-----END OPENSSH PRIVATE KEY-----\n"
               f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYB{rnd(AL, 60)}\n"),
    "urls": (7, f"db: postgres://app:{rnd(AL, 16)}@db:5432/x\ngit: https://u:{rnd(AL, 20)}@git.io\n"
                "x: http://user:password@example.com\n"),
    "generic": (6, f"db:\n  password: \"{rnd(AL, 16)}\"\n  api_key: {rnd(AL, 24)}\n  secret: changeme\n"),
    "negatives": (0, "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nPASSWORD=${DB_PASSWORD}\nTOKEN=<token>\n"),
    "config": (0x80, "rules:\n  - id: X-1\n    title: x\n    severity: HIGH\n    keywords: [acme_]\n"
                     "    regex: 'acme_([a-z0-9]{8})'\nallow:\n  - path: 'tests/*'\n  - regex: '^acme_0'\n"
                     "k=acme_" + rnd("abcdef0123", 8) + "\n"),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpora", "secrets")
os.makedirs(out, exist_ok=True)
for name, (sel, text) in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([sel, r.randrange(256)]) + text.encode())
