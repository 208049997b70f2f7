/* The analyser registry: every package-database analyser, in dispatch order. */
#include "analyze/analyzer.h"

const bw_analyzer *const bw_analyzers[] = {
    NULL,
};
