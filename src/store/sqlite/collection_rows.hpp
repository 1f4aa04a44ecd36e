#pragma once
// Collection rows touched inside other stores' transactions: lookups, counters and the change
// sequence, which every document change bumps.

#include <cstdint>
#include <optional>
#include <string>

#include "store/records.hpp"
#include "store/sqlite/connection.hpp"

namespace sluice::store::sqlite {

// By id or name.
std::optional<Collection> find_collection(Connection& connection, const std::string& id_or_name);
bool collection_exists(Connection& connection, const std::string& collection_id);
// Adds to the collection's counters, bumps its change sequence and returns the new value;
// nullopt when the collection does not exist.
std::optional<int64_t> try_bump_change_seq(Connection& connection, const std::string& collection_id,
                                           int64_t document_delta, int64_t chunk_delta);
// The same for a collection known to exist (throws when it vanished mid-transaction).
int64_t bump_change_seq(Connection& connection, const std::string& collection_id,
                        int64_t document_delta, int64_t chunk_delta);

}  // namespace sluice::store::sqlite
