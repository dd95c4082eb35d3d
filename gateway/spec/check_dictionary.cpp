// Checks the venue data dictionary (gateway/spec/ERX-FIX44.xml) with QuickFIX
// itself: it loads, it knows every ERX message type and custom tag, good
// messages validate, and bad ones fail the way a member will see them
// (required tag missing, wrong data format, unknown tag, value out of range,
// tag not allowed in the message, unknown message type).
//
//   check_dictionary [path/to/ERX-FIX44.xml]     exit 0 = all checks passed
//
// C++14 on purpose: QuickFIX 1.15's headers do not compile as C++17 or later
// (dynamic exception specifications; docs/FIX.md section 13). Self-contained: it
// links only QuickFIX (pkg-config quickfix).

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <quickfix/DataDictionary.h>
#include <quickfix/Exceptions.h>
#include <quickfix/Message.h>

namespace {

int g_failures = 0;

void fail(const std::string& what) {
  std::cerr << "FAIL: " << what << "\n";
  ++g_failures;
}

// A whole message from its type and body, "|" standing for SOH; BodyLength and
// CheckSum are computed here.
std::string frame(const std::string& msg_type, const std::string& body_fields) {
  std::string body = "35=" + msg_type + "|49=MEMBER1|56=ERX|34=2|52=20260105-01:30:00.000|" + body_fields;
  for (char& c : body)
    if (c == '|') c = '\x01';
  std::string msg = "8=FIX.4.4\x01" "9=" + std::to_string(body.size()) + "\x01" + body;
  unsigned sum = 0;
  for (const char c : msg) sum += static_cast<unsigned char>(c);
  char trailer[16];
  std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
  return msg + trailer;
}

enum class Expect {
  Pass,
  RequiredTagMissing,
  IncorrectDataFormat,
  InvalidTagNumber,
  IncorrectTagValue,
  TagNotDefinedForMessage,
  InvalidMessageType,
  RepeatingGroupCountMismatch,
  OtherError,  // any other QuickFIX exception (detail says which)
};

const char* name_of(Expect e) {
  switch (e) {
    case Expect::Pass: return "pass";
    case Expect::RequiredTagMissing: return "RequiredTagMissing";
    case Expect::IncorrectDataFormat: return "IncorrectDataFormat";
    case Expect::InvalidTagNumber: return "InvalidTagNumber";
    case Expect::IncorrectTagValue: return "IncorrectTagValue";
    case Expect::TagNotDefinedForMessage: return "TagNotDefinedForMessage";
    case Expect::InvalidMessageType: return "InvalidMessageType";
    case Expect::RepeatingGroupCountMismatch: return "RepeatingGroupCountMismatch";
    case Expect::OtherError: return "another QuickFIX error";
  }
  return "?";
}

struct Case {
  const char* name;
  const char* msg_type;
  const char* body;
  Expect expect;
  int tag;  // the tag the failure must name (0: not checked)
};

// Validates one message; returns the outcome and, for tag errors, the tag.
Expect validate(const FIX::DataDictionary& dd, const std::string& raw, int& tag, std::string& detail) {
  tag = 0;
  try {
    FIX::Message msg(raw, dd, false);  // parse (groups from the dictionary), validate below
    dd.validate(msg);
    return Expect::Pass;
  } catch (const FIX::RequiredTagMissing& e) {
    tag = e.field;
    return Expect::RequiredTagMissing;
  } catch (const FIX::IncorrectDataFormat& e) {
    tag = e.field;
    return Expect::IncorrectDataFormat;
  } catch (const FIX::InvalidTagNumber& e) {
    tag = e.field;
    return Expect::InvalidTagNumber;
  } catch (const FIX::IncorrectTagValue& e) {
    tag = e.field;
    return Expect::IncorrectTagValue;
  } catch (const FIX::TagNotDefinedForMessage& e) {
    tag = e.field;
    return Expect::TagNotDefinedForMessage;
  } catch (const FIX::InvalidMessageType&) {
    return Expect::InvalidMessageType;
  } catch (const FIX::RepeatingGroupCountMismatch& e) {
    tag = e.field;
    return Expect::RepeatingGroupCountMismatch;
  } catch (const FIX::Exception& e) {
    detail = std::string(e.type) + ": " + e.what();
    return Expect::OtherError;
  }
}

const char* const kNewOrder =
    "11=A1|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|";

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // ---- session
      {"Logon with Username / Password / reset", "A", "98=0|108=30|141=Y|553=trader1|554=secret|", Expect::Pass, 0},
      {"Logon without HeartBtInt", "A", "98=0|553=trader1|554=secret|", Expect::RequiredTagMissing, 108},
      {"Logon with encryption", "A", "98=1|108=30|", Expect::IncorrectTagValue, 98},
      {"Heartbeat", "0", "", Expect::Pass, 0},
      {"TestRequest", "1", "112=TR1|", Expect::Pass, 0},
      {"ResendRequest", "2", "7=1|16=0|", Expect::Pass, 0},
      {"Reject", "3", "45=5|371=38|372=D|373=1|58=Required tag missing|", Expect::Pass, 0},
      {"SequenceReset gap fill", "4", "123=Y|36=10|", Expect::Pass, 0},
      {"Logout", "5", "58=bye|", Expect::Pass, 0},
      // ---- NewOrderSingle
      {"NewOrderSingle limit day", "D", kNewOrder, Expect::Pass, 0},
      {"NewOrderSingle GTD with STP", "D",
       "11=A2|1=101|55=CEA25|54=2|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|59=6|"
       "126=20260110-07:00:00.000|5800=3|",
       Expect::Pass, 0},
      {"NewOrderSingle market IOC without price", "D",
       "11=A3|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=10|40=1|59=3|", Expect::Pass, 0},
      {"NewOrderSingle fractional quantity", "D",
       "11=A4|1=101|55=FS-JX-2024|54=1|60=20260105-01:30:00.000|38=1.500|40=2|44=0.05|", Expect::Pass, 0},
      {"NewOrderSingle without OrderQty", "D",
       "11=A5|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|40=2|44=58.20|", Expect::RequiredTagMissing, 38},
      {"NewOrderSingle without Symbol", "D",
       "11=A6|1=101|54=1|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|", Expect::RequiredTagMissing, 55},
      // Account(1) is optional: the session's configured account is used.
      {"NewOrderSingle without Account", "D",
       "11=A7|55=CEA25|54=1|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|", Expect::Pass, 0},
      {"NewOrderSingle quantity not a number", "D",
       "11=A8|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=lots|40=2|44=58.20|", Expect::IncorrectDataFormat,
       38},
      {"NewOrderSingle bad TransactTime", "D",
       "11=A9|1=101|55=CEA25|54=1|60=yesterday|38=1000|40=2|44=58.20|", Expect::IncorrectDataFormat, 60},
      {"NewOrderSingle unknown tag", "D", "11=B1|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=1000|40=2|9999=x|",
       Expect::InvalidTagNumber, 9999},
      {"NewOrderSingle TimeInForce at the opening (unsupported)", "D",
       "11=B2|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|59=2|", Expect::IncorrectTagValue,
       59},
      {"NewOrderSingle stop order (unsupported)", "D",
       "11=B3|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=1000|40=3|", Expect::IncorrectTagValue, 40},
      {"NewOrderSingle side sell short (unsupported)", "D",
       "11=B4|1=101|55=CEA25|54=5|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|", Expect::IncorrectTagValue, 54},
      {"NewOrderSingle unknown STP mode", "D",
       "11=B5|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|5800=9|", Expect::IncorrectTagValue,
       5800},
      {"NewOrderSingle with an instrument attribute", "D",
       "11=B6|1=101|55=CEA25|54=1|60=20260105-01:30:00.000|38=1000|40=2|44=58.20|5810=0|",
       Expect::TagNotDefinedForMessage, 5810},
      // ---- cancel, replace, status, mass
      {"OrderCancelRequest", "F", "41=A1|11=C1|1=101|55=CEA25|54=1|60=20260105-01:31:00.000|", Expect::Pass, 0},
      {"OrderCancelRequest without OrigClOrdID", "F", "11=C2|1=101|55=CEA25|54=1|60=20260105-01:31:00.000|",
       Expect::RequiredTagMissing, 41},
      {"OrderCancelReplaceRequest", "G",
       "41=A1|11=R1|1=101|55=CEA25|54=1|60=20260105-01:32:00.000|38=500|40=2|44=58.10|", Expect::Pass, 0},
      {"OrderStatusRequest", "H", "11=A1|790=S1|55=CEA25|54=1|", Expect::Pass, 0},
      {"OrderMassCancelRequest all", "q", "11=M1|530=7|60=20260105-01:33:00.000|", Expect::Pass, 0},
      {"OrderMassCancelRequest by symbol and side", "q", "11=M2|530=1|1=101|55=CEA25|54=2|60=20260105-01:33:00.000|",
       Expect::Pass, 0},
      {"OrderMassCancelRequest by underlying (unsupported)", "q", "11=M3|530=2|60=20260105-01:33:00.000|",
       Expect::IncorrectTagValue, 530},
      {"OrderMassCancelReport", "r", "11=M1|37=M1|530=7|531=7|533=3|", Expect::Pass, 0},
      // 532 is INT here (FIX 4.4 says CHAR but lists 99 = other, which no CHAR parser accepts).
      {"OrderMassCancelReport refused, reason other", "r", "11=M4|37=NONE|530=1|531=0|532=99|58=no Symbol|",
       Expect::Pass, 0},
      {"OrderMassStatusRequest", "AF", "584=MS1|585=7|", Expect::Pass, 0},
      // ---- what ERX sends
      {"ExecutionReport partial fill", "8",
       "37=5|11=A1|17=E9|150=F|39=1|1=101|55=CEA25|54=1|40=2|44=58.20|38=1000|59=0|32=400|31=58.10|880=3|851=2|"
       "151=600|14=400|6=58.10|381=23240.00|12=2.32|13=3|5803=23240.00|60=20260105-01:30:00.000|",
       Expect::Pass, 0},
      {"ExecutionReport drop copy of a cancel", "8",
       "37=5|11=A1|17=E10|150=4|39=4|55=CEA25|54=1|151=0|14=400|6=58.10|5801=0|797=Y|", Expect::Pass, 0},
      {"ExecutionReport reject", "8", "37=NONE|11=B9|17=E11|150=8|39=8|103=99|55=CEA25|54=1|151=0|14=0|6=0|"
                                      "58=price outside today's band|",
       Expect::Pass, 0},
      {"ExecutionReport without LeavesQty", "8", "37=5|11=A1|17=E12|150=0|39=0|55=CEA25|54=1|14=0|6=0|",
       Expect::RequiredTagMissing, 151},
      {"OrderCancelReject", "9", "37=NONE|11=C9|41=ZZ|39=8|434=1|102=1|58=unknown order|", Expect::Pass, 0},
      {"BusinessMessageReject", "j", "45=7|372=V|380=3|58=unsupported|", Expect::Pass, 0},
      // ---- reference data and sessions
      {"SecurityListRequest all", "x", "320=SL1|559=4|", Expect::Pass, 0},
      {"SecurityList two instruments", "y",
       "320=SL1|322=SLR1|560=0|393=2|893=Y|146=2|"
       "55=CEA25|15=CNY|561=1|562=1|5810=0|5811=tCO2e|5812=2025|5820=0|5821=2|5822=0|5823=0.01|5824=99999|5825=1000|"
       "5826=58.00|5827=52.20|5828=63.80|5829=0|340=2|"
       "55=SO2-GAN-5Y|15=CNY|561=1|562=1|5810=3|5811=t/yr|5814=SO2|5815=Nanchang|5816=Gan|5817=5|5820=1|5821=2|"
       "5822=0|5823=1.00|5824=10000|5825=1000|5826=389.00|5829=1|5830=50000|5831=20301231|",
       Expect::Pass, 0},
      {"SecurityList wrong NoRelatedSym count", "y",
       "320=SL1|322=SLR1|560=0|146=1|55=CEA25|5810=0|5811=tCO2e|5820=0|5821=2|5822=0|5823=0.01|5824=99999|"
       "5825=1000|55=CEA26|",
       Expect::RepeatingGroupCountMismatch, 146},
      {"TradingSessionStatusRequest", "g", "335=TS1|263=1|", Expect::Pass, 0},
      {"TradingSessionStatus of one instrument", "h", "335=TS1|336=CONT|55=CEA25|340=2|", Expect::Pass, 0},
      // ---- market data
      {"MarketDataRequest book and statistics", "V",
       "262=MD1|263=1|264=5|265=1|266=Y|267=9|269=0|269=1|269=2|269=4|269=5|269=7|269=8|269=9|269=B|146=2|"
       "55=CEA25|55=SO2-GAN-5Y|",
       Expect::Pass, 0},
      {"MarketDataRequest without symbols", "V", "262=MD2|263=0|264=1|267=1|269=0|", Expect::RequiredTagMissing, 146},
      // QuickFIX 1.15 does not check values inside group entries: this passes the
      // dictionary and the gateway answers MarketDataRequestReject 281=8.
      {"MarketDataRequest for an unsupported entry type (group value)", "V",
       "262=MD3|263=0|264=1|267=1|269=6|146=1|55=CEA25|", Expect::Pass, 0},
      {"MarketDataRequest symbol entry without Symbol", "V", "262=MD4|263=0|264=1|267=1|269=0|146=1|",
       Expect::RepeatingGroupCountMismatch, 146},
      {"MarketDataRequest entry type group with an unknown tag", "V",
       "262=MD5|263=0|264=1|267=1|269=0|9998=1|146=1|55=CEA25|", Expect::InvalidTagNumber, 9998},
      {"MarketDataSnapshotFullRefresh", "W",
       "262=MD1|55=CEA25|268=5|269=0|270=58.10|271=400|290=1|346=2|269=1|270=58.30|271=1000|290=1|346=1|"
       "269=2|270=58.20|271=100|272=20260105|273=01:30:00.000|269=9|270=58.19|269=B|271=12000|5840=698280.00|"
       "5841=17|",
       Expect::Pass, 0},
      {"MarketDataIncrementalRefresh", "X",
       "262=MD1|268=2|279=1|269=0|55=CEA25|83=12|270=58.10|271=300|290=1|279=0|269=2|55=CEA25|83=13|270=58.10|"
       "271=100|",
       Expect::Pass, 0},
      {"MarketDataIncrementalRefresh entry without Symbol", "X", "268=1|279=2|269=0|270=58.10|",
       Expect::RequiredTagMissing, 55},
      {"MarketDataRequestReject", "Y", "262=MD9|281=0|58=unknown symbol|", Expect::Pass, 0},
      // ---- not ERX
      {"TradeCaptureReport (not supported)", "AE", "571=T1|", Expect::InvalidMessageType, 0},
  };
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "gateway/spec/ERX-FIX44.xml";
  FIX::DataDictionary* dd_ptr = nullptr;
  try {
    dd_ptr = new FIX::DataDictionary(path);
  } catch (const FIX::ConfigError& e) {
    std::cerr << "FAIL: QuickFIX cannot load " << path << ": " << e.what() << "\n";
    return 1;
  }
  const FIX::DataDictionary& dd = *dd_ptr;

  if (dd.getVersion() != "FIX.4.4") fail("version is " + dd.getVersion() + ", not FIX.4.4");

  // Every message type ERX supports, and nothing else that members might try.
  const char* const kMsgTypes[] = {"0", "1", "2", "3", "4", "5", "A", "D", "F", "G", "H", "q", "r",
                                   "AF", "8", "9", "j", "x", "y", "g", "h", "V", "W", "X", "Y"};
  for (const char* t : kMsgTypes)
    if (!dd.isMsgType(t)) fail(std::string("message type ") + t + " missing");
  for (const char* t : {"AE", "c", "d", "E", "R", "S"})
    if (dd.isMsgType(t)) fail(std::string("message type ") + t + " should not be supported");

  // The custom tags docs/FIX.md lists, by number and name.
  struct Tag {
    int number;
    const char* name;
  };
  const Tag kCustom[] = {{5800, "SelfTradePreventionMode"}, {5801, "CancelReason"}, {5802, "PriorityKept"},
                         {5803, "CumCashAmt"},              {5810, "RightClass"},   {5811, "QuantityUnit"},
                         {5812, "Vintage"},                 {5813, "ProjectID"},    {5814, "Pollutant"},
                         {5815, "Region"},                  {5816, "Basin"},        {5817, "TermYears"},
                         {5818, "ComplianceYear"},          {5819, "WaterRightType"}, {5820, "PriceUnitType"},
                         {5821, "PriceScale"},              {5822, "QtyScale"},     {5823, "TickSize"},
                         {5824, "MaxOrderQty"},             {5825, "PriceBandBps"}, {5826, "ReferencePrice"},
                         {5827, "BandLowPrice"},            {5828, "BandHighPrice"}, {5829, "Eligibility"},
                         {5830, "HoldingLimit"},            {5831, "LastTradingDate"},
                         {5840, "Turnover"},                {5841, "NumberOfTrades"}};
  for (const Tag& t : kCustom) {
    std::string name;
    if (!dd.getFieldName(t.number, name) || name != t.name)
      fail("custom tag " + std::to_string(t.number) + " is '" + name + "', expected " + t.name);
  }

  // Prices, quantities and amounts are decimals (QuickFIX accepts an unknown
  // type name silently, so the types that matter are checked here).
  struct Typed {
    int number;
    FIX::TYPE::Type type;
  };
  const Typed kDecimals[] = {
      {6, FIX::TYPE::Price},     {31, FIX::TYPE::Price},    {44, FIX::TYPE::Price},    {270, FIX::TYPE::Price},
      {5823, FIX::TYPE::Price},  {5826, FIX::TYPE::Price},  {5827, FIX::TYPE::Price},  {5828, FIX::TYPE::Price},
      {14, FIX::TYPE::Qty},      {32, FIX::TYPE::Qty},      {38, FIX::TYPE::Qty},      {151, FIX::TYPE::Qty},
      {271, FIX::TYPE::Qty},     {561, FIX::TYPE::Qty},     {562, FIX::TYPE::Qty},     {5824, FIX::TYPE::Qty},
      {5830, FIX::TYPE::Qty},    {12, FIX::TYPE::Amt},      {381, FIX::TYPE::Amt},     {5803, FIX::TYPE::Amt},
      {5840, FIX::TYPE::Amt},    {60, FIX::TYPE::UtcTimeStamp}, {126, FIX::TYPE::UtcTimeStamp}};
  for (const Typed& t : kDecimals) {
    FIX::TYPE::Type type = FIX::TYPE::Unknown;
    if (!dd.getFieldType(t.number, type) || type != t.type)
      fail("tag " + std::to_string(t.number) + " does not have the expected FIX type");
  }

  int passed = 0;
  for (const Case& c : cases()) {
    int tag = 0;
    std::string detail;
    const Expect got = validate(dd, frame(c.msg_type, c.body), tag, detail);
    std::ostringstream what;
    what << c.name << ": expected " << name_of(c.expect);
    if (c.tag) what << " on tag " << c.tag;
    if (got != c.expect) {
      what << ", got " << (detail.empty() ? name_of(got) : detail.c_str());
      if (tag) what << " on tag " << tag;
      fail(what.str());
    } else if (c.tag && tag != c.tag) {
      what << ", got it on tag " << tag;
      fail(what.str());
    } else {
      ++passed;
    }
  }
  delete dd_ptr;

  std::cout << path << ": " << passed << " of " << cases().size() << " message checks passed, " << g_failures
            << " failure(s)\n";
  return g_failures == 0 ? 0 : 1;
}
