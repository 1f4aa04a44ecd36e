// `sluice ingest PATH...`: uploads files (folders recursively) to a running server's
// POST /v1/collections/{c}/documents as multipart, then waits for their ingestion jobs.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "cmd/api_client.hpp"
#include "cmd/client_args.hpp"
#include "cmd/commands.hpp"
#include "cmd/ingest_files.hpp"

namespace sluice::cmd {
namespace json = boost::json;

namespace {

constexpr const char* kIngestUsage =
    "usage: sluice ingest PATH... [--collection C] [--url URL] [--key KEY] [--no-wait]\n"
    "  uploads files and folders (recursively: .txt .md .markdown .html .htm .pdf) to a\n"
    "  running server, four at a time, then waits for their ingestion unless --no-wait. The\n"
    "  collection defaults to \"default\" and is created when missing; URL defaults to\n"
    "  $SLUICE_URL or http://127.0.0.1:8080, KEY to $SLUICE_API_KEY\n";

constexpr auto kJobPoll = std::chrono::milliseconds(200);
// Uploads in flight at once, each on its own connection: the server parses, hashes and commits
// one while the next is on the wire.
constexpr std::size_t kParallelUploads = 4;

struct Tally {
  int uploaded = 0;
  int unchanged = 0;
  int failed = 0;
};

// Shows "[i/n] what" on one rewritten line, only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}
  void show(std::size_t done, const std::string& what) const {
    if (!tty_) return;
    std::fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, total_, what.c_str());
    std::fflush(stderr);
  }
  void done() const {
    if (tty_) std::fputs("\r\033[K", stderr);
  }
  // A message on its own line, not clobbered by the progress line.
  void say(const std::string& message) const {
    done();
    std::fprintf(stderr, "%s\n", message.c_str());
  }

 private:
  std::size_t total_;
  bool tty_;
};

std::string field(const json::value& body, std::string_view key) {
  if (!body.is_object()) return {};
  const json::value* v = body.get_object().if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Creates the collection; true when it exists afterwards (created, or created meanwhile).
bool create_collection(ApiClient& client, const std::string& name, const Progress& progress) {
  auto response = client.request("POST", "/v1/collections", "application/json",
                                 json::serialize(json::object{{"name", name}}));
  if (response && (response->status == 201 || response->status == 200 || response->status == 409))
    return true;
  progress.say("cannot create collection '" + name +
               "': " + (response ? error_message(*response) : response.error().message));
  return false;
}

// The job's final state: succeeded, dead or cancelled (or "error: ..." when it cannot be read).
std::string wait_for_job(ApiClient& client, const std::string& job_id, std::string& last_error) {
  for (;;) {
    auto response = client.request("GET", "/v1/jobs/" + percent_encode(job_id));
    if (!response) return "error: " + response.error().message;
    if (response->status != 200) return "error: " + error_message(*response);
    boost::system::error_code ec;
    const json::value body = json::parse(response->body, ec);
    const std::string state = ec ? std::string() : field(body, "state");
    if (state == "succeeded" || state == "dead" || state == "cancelled") {
      last_error = field(body, "last_error");
      return state;
    }
    std::this_thread::sleep_for(kJobPoll);
  }
}

// One file's upload: its job id when the server took a new version.
struct Upload {
  enum class Result { uploaded, unchanged, failed, unreachable } result = Result::failed;
  std::string job_id;
  std::string message;  // why it failed
};

// Creates a missing collection once, for whichever upload finds it missing first; the others
// wait for that attempt's outcome.
class CollectionCreator {
 public:
  CollectionCreator(std::string name, const Progress& progress, std::mutex& output)
      : name_(std::move(name)), progress_(progress), output_(output) {}
  // True when the collection exists after the (first) attempt.
  bool ensure(ApiClient& client) {
    std::lock_guard lock(output_);
    if (!tried_) exists_ = create_collection(client, name_, progress_);
    tried_ = true;
    return exists_;
  }

 private:
  std::string name_;
  const Progress& progress_;
  std::mutex& output_;  // also keeps progress lines whole
  bool tried_ = false;
  bool exists_ = false;
};

// Uploads `file` as multipart to `path`; a 404 (no such collection) has `creator` create it and
// is retried once.
Upload upload_file(ApiClient& client, const std::string& path, const FileToUpload& file,
                   CollectionCreator& creator) {
  std::ifstream in(file.path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return Upload{Upload::Result::failed, {}, "cannot read the file"};
  const MultipartBody body = multipart_upload(file, content.str());
  auto response = client.request("POST", path, body.content_type, body.body);
  if (response && response->status == 404 && creator.ensure(client))
    response = client.request("POST", path, body.content_type, body.body);
  if (!response) return Upload{Upload::Result::unreachable, {}, response.error().message};
  if (response->status != 202 && response->status != 200)
    return Upload{Upload::Result::failed,
                  {},
                  std::to_string(response->status) + " " + error_message(*response)};
  boost::system::error_code ec;
  const json::value parsed = json::parse(response->body, ec);
  // `created` false: the same content under the same id was there already.
  const json::value* created =
      parsed.is_object() ? parsed.get_object().if_contains("created") : nullptr;
  if (created && created->is_bool() && !created->get_bool())
    return Upload{Upload::Result::unchanged, {}, {}};
  return Upload{Upload::Result::uploaded, field(parsed, "job_id"), {}};
}

}  // namespace

int run_ingest(int argc, char** argv, int first) {
  auto args = parse_client_args("ingest", argc, argv, first);
  if (!args) {
    std::fprintf(stderr, "sluice ingest: %s\n%s", args.error().message.c_str(), kIngestUsage);
    return 2;
  }
  if (args->help) {
    std::fputs(kIngestUsage, stdout);
    return 0;
  }
  if (args->positional.empty()) {
    std::fprintf(stderr, "sluice ingest: no PATH\n%s", kIngestUsage);
    return 2;
  }
  const std::string collection = args->collection.empty() ? "default" : args->collection;
  auto files = collect_files(args->positional);
  if (!files) {
    std::fprintf(stderr, "sluice ingest: %s\n", files.error().message.c_str());
    return 2;
  }
  auto client = ApiClient::create(args->url, args->key);
  if (!client) {
    std::fprintf(stderr, "sluice ingest: --url %s: %s\n", args->url.c_str(),
                 client.error().message.c_str());
    return 2;
  }

  Tally tally;
  Progress progress(files->size());
  const std::string path = "/v1/collections/" + percent_encode(collection) + "/documents";
  std::vector<std::pair<std::string, std::string>> jobs;  // file, job id
  std::mutex mutex;                                       // guards tally, jobs and progress
  CollectionCreator creator(collection, progress, mutex);
  const auto record = [&](std::size_t done, const FileToUpload& file, const Upload& upload) {
    std::lock_guard lock(mutex);
    progress.show(done, "uploaded " + file.id);
    switch (upload.result) {
      case Upload::Result::uploaded:
        ++tally.uploaded;
        if (!upload.job_id.empty()) jobs.emplace_back(file.id, upload.job_id);
        break;
      case Upload::Result::unchanged:
        ++tally.unchanged;
        break;
      default:
        progress.say("failed " + file.id + ": " + upload.message);
        ++tally.failed;
    }
  };
  // The first file alone: if nothing listens there, every other file would fail the same way.
  bool unreachable = false;
  if (!files->empty()) {
    progress.show(0, "uploading " + files->front().id);
    const Upload first = upload_file(*client, path, files->front(), creator);
    record(1, files->front(), first);
    unreachable = first.result == Upload::Result::unreachable;
    if (unreachable) tally.failed += static_cast<int>(files->size()) - 1;
  }
  if (files->size() > 1 && !unreachable) {
    std::atomic<std::size_t> next = 1, done = 1;
    const auto uploader = [&](ApiClient& connection) {
      for (std::size_t i; (i = next++) < files->size();)
        record(++done, (*files)[i], upload_file(connection, path, (*files)[i], creator));
    };
    std::vector<ApiClient> connections;
    for (std::size_t i = 1; i < std::min(kParallelUploads, files->size() - 1); ++i)
      if (auto connection = ApiClient::create(args->url, args->key))
        connections.push_back(std::move(*connection));
    std::vector<std::thread> threads;
    for (ApiClient& connection : connections)
      threads.emplace_back([&uploader, &connection] { uploader(connection); });
    uploader(*client);
    for (std::thread& thread : threads) thread.join();
  }
  if (!args->no_wait) {
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      progress.show(i, "indexing " + jobs[i].first);
      std::string last_error;
      const std::string state = wait_for_job(*client, jobs[i].second, last_error);
      if (state == "succeeded" || state == "cancelled") continue;  // cancelled: a newer version
      progress.say("failed " + jobs[i].first + ": " + state +
                   (last_error.empty() ? "" : " (" + last_error + ")"));
      --tally.uploaded;
      ++tally.failed;
    }
  }
  progress.done();
  std::printf("%s: uploaded %d, unchanged %d, failed %d (collection %s)\n",
              args->no_wait ? "sent" : "done", tally.uploaded, tally.unchanged, tally.failed,
              collection.c_str());
  return tally.failed == 0 ? 0 : 1;
}

}  // namespace sluice::cmd
