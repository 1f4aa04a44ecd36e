#pragma once

#include "auth/audit_log.hpp"
#include "http/router.hpp"
#include "store/audit_store.hpp"

namespace sluice::api {

// GET /v1/admin/audit?key_id=&action=&result=&since=&until=&limit=&after= (admin only, enforced
// by the API key filter): audit events newest first, `since`/`until` in Unix seconds. The log is
// flushed first, so this replica's latest events are in. Both must outlive the router.
void register_admin_audit_routes(http::Router& router, store::AuditStore& store,
                                 auth::AuditLog& log);

}  // namespace sluice::api
