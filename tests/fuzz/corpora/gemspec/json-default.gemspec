Gem::Specification.new do |spec|
  spec.name = 'json'.freeze
  spec.version = Gem::Version.new("2.6.1")
  spec.licenses = ["Ruby".freeze, 'BSD-2-Clause'.freeze]
  spec.license = "ignored"
end
