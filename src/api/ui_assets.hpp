#pragma once

#include <span>
#include <string_view>

namespace sluice::api {

// One file of the status page: its name under src/ui/assets (served as /ui/<name>) and bytes.
struct UiAsset {
  std::string_view name;
  std::string_view bytes;
};

// Every file of src/ui/assets, sorted by name, embedded at build time by
// cmake/embed_assets.cmake. Static storage: the views stay valid for the process.
std::span<const UiAsset> ui_assets();

}  // namespace sluice::api
