#pragma once
// The FIX gateway: members' FIX 4.4 sessions (QuickFIX for the session layer,
// our own loopback transport, fix_server.hpp) in front of the sequencer.
//
//   member ──FIX──► connection thread: frame, QuickFIX session, fromApp
//        translate (inbound.hpp) ──submit──► Sequencer ──commit──►
//        writer thread: PendingRequest::done → Router (views, messages) →
//        bounded per-session queues ──► connection thread: send
//   queries (H, AF, g, x, V) are answered on the connection thread from the
//   views (query_answers.hpp); how every FIX value maps is fix_mapping.hpp.
//
// Nothing reaches a member before the commit that holds it; a full session
// queue disconnects that member only (never blocks the writer thread).
// QuickFIX types stay in the .cpp files.

#include <memory>
#include <string>

#include "engine/exchange/commands.hpp"
#include "gateway/config.hpp"
#include "ledger/durable_exchange.hpp"

namespace erx::gateway {

class ConnectionHooks;  // connection_core.hpp

class Gateway {
 public:
  Gateway(const ErxdConfig& config, ledger::DurableExchange& exchange);
  // Stop the DurableExchange first: its sequencer calls back into the
  // gateway until it has stopped (asserted).
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Creates the members' FIX sessions and loads their stores (sequence
  // numbers, sent messages) from <data_dir>/fix — before the ledger is opened.
  bool open_sessions(std::string* error);
  // What the ledger's recovery shows the gateway (DurableOptions::observer):
  // the views and the reports of the business day are rebuilt from it.
  ledger::RecoveryObserver& recovery_observer();
  // After the ledger's recovery, before the sequencer starts: the reports
  // rebuilt and not sent before the restart wait for their sessions; the
  // sequencer's batches come here. Then, after the sequencer started,
  // start() listens.
  void after_recovery();
  bool start(std::string* error);
  // Stops accepting, logs every session out, closes the connections.
  void stop();

  // What a connection needs from the gateway, for a transport other than
  // erxd's sockets (the FIX fuzz target drives a ConnectionCore with it).
  ConnectionHooks& connection_hooks();

  // Submits one of erxd's own commands (timer, demo data); its events reach
  // members like any other. False when the sequencer has stopped.
  bool submit_internal(const exchange::CommandBody& body);
  // Waits until every command submitted so far has completed.
  void wait_idle();

  [[nodiscard]] std::uint16_t port() const;  // the bound port (config port 0: an ephemeral one)
  // Where sampled requests spent their time inside erxd (latency_probe.hpp).
  [[nodiscard]] std::string latency_summary() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace erx::gateway
