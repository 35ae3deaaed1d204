# REDCapR's core read/write path, as its kernel_api sends it (httr::POST, form-encoded, success iff status 200,
# body read as UTF-8 text): redcap_read's metadata calls, a CSV record export with comma-joined arrays, and
# redcap_write_oneshot's CSV import (every cell quoted, returnContent=ids, returnFormat=csv, first line dropped).
# Usage: Rscript redcapr_core.R URL TOKEN RECORD; prints one JSON object for the test to check.
suppressMessages({library(httr); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
url <- args[[1]]; token <- args[[2]]; record <- args[[3]]

kernel_api <- function(body) {
  response <- httr::POST(url = url, body = c(list(token = token), body), encode = "form")
  list(status = httr::status_code(response), text = gsub("\r\n", "\n", httr::content(response, "text", encoding = "UTF-8")))
}
read_csv_text <- function(text) {
  if (!nzchar(trimws(text))) return(data.frame())  # an empty export is "\n", as REDCapR's 0x0 tibble
  utils::read.csv(text = text, stringsAsFactors = FALSE, colClasses = "character")
}

fields <- kernel_api(list(content = "exportFieldNames", format = "csv"))
metadata <- kernel_api(list(content = "metadata", format = "json"))
project <- read_csv_text(kernel_api(list(content = "project", format = "csv"))$text)
dag <- kernel_api(list(content = "dag", format = "csv"))
ids <- kernel_api(list(content = "record", format = "csv", type = "flat", fields = "record_id"))

to_write <- data.frame(record_id = record, redcap_event_name = "baseline_arm_1",
                       phq9_phq9_1 = "2", phq9_phq9_2 = "2", stringsAsFactors = FALSE)
for (n in 3:9) to_write[[paste0("phq9_phq9_", n)]] <- "0"  # every item, so the server scores the total
csv <- paste(utils::capture.output(utils::write.csv(to_write, row.names = FALSE, na = "")), collapse = "\n")
written <- kernel_api(list(content = "record", format = "csv", type = "flat", data = csv,
                           overwriteBehavior = "normal", returnContent = "ids", returnFormat = "csv"))
written_ids <- strsplit(written$text, "\n")[[1]][-1]

read <- kernel_api(list(content = "record", format = "csv", type = "flat", rawOrLabel = "raw",
                        rawOrLabelHeaders = "raw", exportCheckboxLabel = "false", exportSurveyFields = "false",
                        exportDataAccessGroups = "false", filterLogic = "", dateRangeBegin = "", dateRangeEnd = "",
                        exportBlankForGrayFormStatus = "FALSE", records = record,
                        fields = "record_id,phq9_phq9_1,phq9_phq9_2,phq9_total"))
rows <- read_csv_text(read$text)
arms <- kernel_api(list(content = "arm", format = "csv"))
bad <- httr::POST(url = url, body = list(token = paste(rep("0", 32), collapse = ""), content = "version", format = "csv"), encode = "form")

cat(jsonlite::toJSON(list(
  record_id_field = read_csv_text(fields$text)$original_field_name[[1]],
  first_metadata_field = jsonlite::fromJSON(metadata$text)$field_name[[1]],
  is_longitudinal = project$is_longitudinal[[1]],
  has_repeating = project$has_repeating_instruments_or_events[[1]],
  dag_status = dag$status,
  ids = read_csv_text(ids$text)$record_id,
  write_status = written$status, written_ids = written_ids, written_text = written$text,
  read_status = read$status, read_columns = names(rows), phq9_1 = rows$phq9_phq9_1, total = rows$phq9_total,
  arms = read_csv_text(arms$text)$name,
  bad_status = httr::status_code(bad), bad_text = httr::content(bad, "text", encoding = "UTF-8")
), auto_unbox = TRUE))
