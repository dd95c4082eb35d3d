#include "engine/book/book_types.hpp"

#include <string>

namespace erx::book {

std::string_view to_string(Reason r) noexcept {
  switch (r) {
    case Reason::None: return "None";
    case Reason::InvalidOrderId: return "InvalidOrderId";
    case Reason::DuplicateOrderId: return "DuplicateOrderId";
    case Reason::UnknownOrderId: return "UnknownOrderId";
    case Reason::InvalidSide: return "InvalidSide";
    case Reason::InvalidOrderType: return "InvalidOrderType";
    case Reason::InvalidTimeInForce: return "InvalidTimeInForce";
    case Reason::InvalidStpMode: return "InvalidStpMode";
    case Reason::InvalidQuantity: return "InvalidQuantity";
    case Reason::QuantityTooLarge: return "QuantityTooLarge";
    case Reason::OffLotQuantity: return "OffLotQuantity";
    case Reason::InvalidPrice: return "InvalidPrice";
    case Reason::OffTickPrice: return "OffTickPrice";
    case Reason::PriceOutsideBand: return "PriceOutsideBand";
    case Reason::ExpiredOnEntry: return "ExpiredOnEntry";
    case Reason::BookFull: return "BookFull";
    case Reason::TooManyOwners: return "TooManyOwners";
    case Reason::FokNotFillable: return "FokNotFillable";
    case Reason::InvalidBand: return "InvalidBand";
    case Reason::TimeWentBackwards: return "TimeWentBackwards";
    case Reason::UserCancel: return "UserCancel";
    case Reason::IocRemainder: return "IocRemainder";
    case Reason::MarketRemainder: return "MarketRemainder";
    case Reason::StpCancelTaker: return "StpCancelTaker";
    case Reason::StpCancelMaker: return "StpCancelMaker";
    case Reason::StpCancelBoth: return "StpCancelBoth";
    case Reason::StpDecrement: return "StpDecrement";
    case Reason::MassCancel: return "MassCancel";
    case Reason::Expired: return "Expired";
    case Reason::EndOfDay: return "EndOfDay";
    case Reason::OutsideNewBand: return "OutsideNewBand";
  }
  return "?";
}

std::string_view to_string(Side s) noexcept {
  switch (s) {
    case Side::Buy: return "Buy";
    case Side::Sell: return "Sell";
  }
  return "?";
}

std::string_view to_string(OrderType t) noexcept {
  switch (t) {
    case OrderType::Limit: return "Limit";
    case OrderType::Market: return "Market";
  }
  return "?";
}

std::string_view to_string(TimeInForce t) noexcept {
  switch (t) {
    case TimeInForce::Day: return "Day";
    case TimeInForce::Gtc: return "Gtc";
    case TimeInForce::Gtd: return "Gtd";
    case TimeInForce::Ioc: return "Ioc";
    case TimeInForce::Fok: return "Fok";
  }
  return "?";
}

std::string_view to_string(StpMode m) noexcept {
  switch (m) {
    case StpMode::OwnerDefault: return "OwnerDefault";
    case StpMode::None: return "None";
    case StpMode::CancelTaker: return "CancelTaker";
    case StpMode::CancelMaker: return "CancelMaker";
    case StpMode::CancelBoth: return "CancelBoth";
    case StpMode::Decrement: return "Decrement";
  }
  return "?";
}

namespace {

std::string_view to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::Accepted: return "Accepted";
    case EventKind::Trade: return "Trade";
    case EventKind::Cancelled: return "Cancelled";
    case EventKind::Modified: return "Modified";
    case EventKind::Rejected: return "Rejected";
  }
  return "?";
}

std::string_view to_string(Request r) noexcept {
  switch (r) {
    case Request::Add: return "Add";
    case Request::Cancel: return "Cancel";
    case Request::Modify: return "Modify";
    case Request::MassCancel: return "MassCancel";
    case Request::SetBand: return "SetBand";
    case Request::AdvanceTime: return "AdvanceTime";
    case Request::CancelDay: return "CancelDay";
  }
  return "?";
}

// A 64-bit mix (the finaliser of a well-known integer hash) applied per field.
std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}

std::uint64_t u(std::int64_t v) noexcept { return static_cast<std::uint64_t>(v); }

}  // namespace

std::uint64_t hash_event(std::uint64_t h, const Event& e) noexcept {
  const std::uint64_t small = std::uint64_t{static_cast<std::uint8_t>(e.kind)} |
                              std::uint64_t{static_cast<std::uint8_t>(e.request)} << 8 |
                              std::uint64_t{static_cast<std::uint8_t>(e.side)} << 16 |
                              std::uint64_t{static_cast<std::uint8_t>(e.type)} << 24 |
                              std::uint64_t{static_cast<std::uint8_t>(e.tif)} << 32 |
                              std::uint64_t{e.priority_kept} << 40 |
                              std::uint64_t{static_cast<std::uint16_t>(e.reason)} << 48;
  h = mix(h, small);
  h = mix(h, std::uint64_t{e.owner} << 32 | e.maker_owner);
  h = mix(h, e.order_id);
  h = mix(h, e.maker_id);
  h = mix(h, u(e.price));
  h = mix(h, u(e.qty));
  h = mix(h, u(e.leaves));
  h = mix(h, u(e.maker_leaves));
  return h;
}

std::string describe(const Event& e) {
  std::string s;
  s.reserve(160);
  s += to_string(e.kind);
  s += " req=";
  s += to_string(e.request);
  s += " id=" + std::to_string(e.order_id);
  s += " owner=" + std::to_string(e.owner);
  s += " side=";
  s += to_string(e.side);
  s += " type=";
  s += to_string(e.type);
  s += " tif=";
  s += to_string(e.tif);
  s += " px=" + std::to_string(e.price);
  s += " qty=" + std::to_string(e.qty);
  s += " leaves=" + std::to_string(e.leaves);
  if (e.kind == EventKind::Trade) {
    s += " maker=" + std::to_string(e.maker_id);
    s += " maker_owner=" + std::to_string(e.maker_owner);
    s += " maker_leaves=" + std::to_string(e.maker_leaves);
  }
  if (e.kind == EventKind::Modified) s += e.priority_kept ? " priority=kept" : " priority=lost";
  if (e.reason != Reason::None) {
    s += " reason=";
    s += to_string(e.reason);
  }
  return s;
}

}  // namespace erx::book
