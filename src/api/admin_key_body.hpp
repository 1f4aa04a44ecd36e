#pragma once
// The JSON of /v1/admin/keys: request bodies read into a store::ApiKey's fields (strictly: a
// wrong type or value is a 400 naming the field) and keys rendered without their secret.

#include <boost/json/object.hpp>
#include <cstdint>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::api {

// Applies the fields `body` has (name, roles, models, team, collections, daily_budget_usd and
// monthly_budget_usd (US dollars or null), priority, expires_at (Unix seconds or null),
// expires_in (seconds), requests_per_minute, tokens_per_minute (0 = the configured default)) to
// `key`; fields it lacks stay as they are. Unknown fields are refused: a typo must not silently
// leave a restriction off.
Status read_key_fields(const boost::json::object& body, int64_t now_ms, store::ApiKey& key);

// {"id","object":"api_key","name","roles","models","team","collections","daily_budget_usd",
// "monthly_budget_usd","priority","requests_per_minute","tokens_per_minute","prefix",
// "created_at","updated_at","expires_at","revoked_at","previous_key_valid_until"};
// times in Unix seconds, null when unset.
boost::json::object key_json(const store::ApiKey& key);

}  // namespace sluice::api
