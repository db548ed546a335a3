# The R side of the benchmark: the same design fitted with rms::lrm and validated with
# rms::validate(B = B, cluster = client), timed with system.time (elapsed seconds).
#   Rscript benchmarks/rms_validate.R design.csv 200
# design.csv: back_pain (0/1), client, then one 0/1 column per model feature
# (written by `python -m benchmarks.stages export_design ...`). Simulated data.
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
B <- as.integer(args[2])
suppressPackageStartupMessages(library(rms))
d <- read.csv(path, check.names = FALSE)
features <- setdiff(names(d), c("back_pain", "client"))
form <- as.formula(paste("back_pain ~", paste(sprintf("`%s`", features), collapse = " + ")))
t_fit <- system.time(fit <- lrm(form, data = d, x = TRUE, y = TRUE))[["elapsed"]]
set.seed(1)
t_val <- system.time(v <- validate(fit, B = B, cluster = d$client))[["elapsed"]]
cat(sprintf(paste0("RMS-RESULT {\"fit_seconds\": %.4f, \"validate_seconds\": %.4f, \"n\": %d, ",
                   "\"features\": %d, \"B\": %d, \"replicates\": %d, \"dxy_corrected\": %.4f, ",
                   "\"rms_version\": \"%s\", \"r_version\": \"%s\"}\n"),
            t_fit, t_val, nrow(d), length(features), B, as.integer(v["Dxy", "n"]),
            v["Dxy", "index.corrected"], as.character(packageVersion("rms")),
            paste(R.version$major, R.version$minor, sep = ".")))
