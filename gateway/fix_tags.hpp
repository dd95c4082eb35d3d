#pragma once
// Every FIX tag number the gateway reads or writes, by its FIX 4.4 name: the
// only place a tag is a number. The standard's numbers; the custom fields
// (5800-5841) are ERX's, defined in the venue dictionary
// (gateway/spec/ERX-FIX44.xml) and docs/FIX.md section 10.

#include <string_view>

namespace erx::gateway::tag {

// Standard header and session fields (read before QuickFIX sees a message).
inline constexpr int BeginString = 8, BodyLength = 9, MsgSeqNum = 34, MsgType = 35, SenderCompID = 49,
                     SendingTime = 52, TargetCompID = 56, EncryptMethod = 98, HeartBtInt = 108,
                     ResetSeqNumFlag = 141, Username = 553, Password = 554;
// Logon fields ERX does not support (a Logon carrying one is refused).
inline constexpr int RawDataLength = 95, RawData = 96, NewPassword = 925;

inline constexpr int CheckSum = 10;
// How the framing fields start on the wire, for the code that reads raw bytes
// before any parser (fix_framer.cpp, fix_store.cpp).
namespace wire {
inline constexpr std::string_view BeginString = "8=", BodyLength = "9=", CheckSum = "10=";
inline constexpr std::string_view MsgTypeAfterSoh = "\x01" "35=";  // MsgType, never a message's first field
}  // namespace wire

// Orders and their reports.
inline constexpr int Account = 1, AvgPx = 6, ClOrdID = 11, Commission = 12, CommType = 13, CumQty = 14,
                     Currency = 15, ExecID = 17, ExecInst = 18, LastPx = 31, LastQty = 32, OrderID = 37,
                     OrderQty = 38, OrdStatus = 39, OrdType = 40, OrigClOrdID = 41, Price = 44, RefSeqNum = 45,
                     SecurityID = 48, Side = 54, Symbol = 55, Text = 58, TimeInForce = 59, TransactTime = 60,
                     CxlRejReason = 102, OrdRejReason = 103, ExpireTime = 126, ExecType = 150, LeavesQty = 151,
                     RefMsgType = 372, ExecRestatementReason = 378, BusinessRejectRefID = 379,
                     BusinessRejectReason = 380, GrossTradeAmt = 381, CxlRejResponseTo = 434,
                     OrdStatusReqID = 790, CopyMsgIndicator = 797, LastLiquidityInd = 851, TrdMatchID = 880,
                     TotNumReports = 911, LastRptRequested = 912;

// Mass cancel and mass status.
inline constexpr int MassCancelRequestType = 530, MassCancelResponse = 531, MassCancelRejectReason = 532,
                     TotalAffectedOrders = 533, MassStatusReqID = 584, MassStatusReqType = 585;

// Market data.
inline constexpr int RptSeq = 83, MDReqID = 262, SubscriptionRequestType = 263, MarketDepth = 264,
                     MDUpdateType = 265, AggregatedBook = 266, NoMDEntryTypes = 267, NoMDEntries = 268,
                     MDEntryType = 269, MDEntryPx = 270, MDEntrySize = 271, MDEntryDate = 272, MDEntryTime = 273,
                     MDUpdateAction = 279, MDReqRejReason = 281, MDEntryPositionNo = 290, NumberOfOrders = 346;

// Trading session status and the security list.
inline constexpr int NoRelatedSym = 146, SecurityReqID = 320, SecurityResponseID = 322,
                     UnsolicitedIndicator = 325, TradSesReqID = 335, TradingSessionID = 336, TradSesStatus = 340,
                     TotNoRelatedSym = 393, SecurityListRequestType = 559, SecurityRequestResult = 560,
                     RoundLot = 561, MinTradeVol = 562, TradSesStatusRejReason = 567, LastFragment = 893;

// ERX's custom fields (docs/FIX.md section 10).
inline constexpr int SelfTradePreventionMode = 5800, CancelReason = 5801, PriorityKept = 5802, CumCashAmt = 5803;
// InstrumentAttributes of a SecurityList entry.
inline constexpr int RightClass = 5810, QuantityUnit = 5811, Vintage = 5812, ProjectID = 5813, Pollutant = 5814,
                     Region = 5815, Basin = 5816, TermYears = 5817, ComplianceYear = 5818, WaterRightType = 5819,
                     PriceUnitType = 5820, PriceScale = 5821, QtyScale = 5822, TickSize = 5823,
                     MaxOrderQty = 5824, PriceBandBps = 5825, ReferencePrice = 5826, BandLowPrice = 5827,
                     BandHighPrice = 5828, Eligibility = 5829, HoldingLimit = 5830, LastTradingDate = 5831;
// The day's volume entry (269=B) of market data.
inline constexpr int Turnover = 5840, NumberOfTrades = 5841;

}  // namespace erx::gateway::tag
