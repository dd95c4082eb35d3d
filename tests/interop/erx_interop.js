// ERX interop: jspurefix, a FIX engine nobody here wrote, against erxd.
//
//   node erx_interop.js PORT DICTIONARY
//
// Two jspurefix sessions (M3 and M2, demo credentials) log on with the venue
// dictionary; M3 posts a sell, M2 buys part of it (both see the fill), M3
// cancels the rest, M3 takes a market data snapshot. Prints one line per
// check; exit 0 when every check passed, 1 otherwise (or on timeout).
'use strict'
require('reflect-metadata')
const { SessionLauncher, AsciiSession } = require('jspurefix')

const [port, dictionary] = process.argv.slice(2)
const results = []
function check (name, ok, detail) {
  results.push(ok)
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`)
}

function description (comp, user, password) {
  return {
    application: {
      reconnectSeconds: 10,
      type: 'initiator',
      name: comp,
      tcp: { host: '127.0.0.1', port: Number(port) },
      protocol: 'ascii',
      dictionary
    },
    Username: user,
    Password: password,
    EncryptMethod: 0,
    ResetSeqNumFlag: true,
    HeartBtInt: 30,
    SenderCompId: comp,
    TargetCompID: 'ERX',
    BeginString: 'FIX.4.4'
  }
}

// A session that hands every application message to a waiter.
class Member extends AsciiSession {
  constructor (config, hooks) {
    super(config)
    this.hooks = hooks
    this.waiters = []
    this.inbox = []
  }
  onApplicationMsg (msgType, view) {
    const o = view.toObject()
    this.inbox.push({ msgType, o })
    this.waiters = this.waiters.filter(w => !(w.pred(msgType, o) && (w.resolve({ msgType, o }), true)))
  }
  wait (pred, ms = 5000) {
    const hit = this.inbox.find(m => pred(m.msgType, m.o))
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      this.waiters.push({ pred, resolve })
      setTimeout(() => reject(new Error('timeout')), ms)
    })
  }
  order (type, obj) { this.send(type, obj) }
  onReady () { this.hooks.ready(this) }
  onStopped () {}
  onLogon () { return true }
  onDecoded () {}
  onEncoded () {}
}

function launch (comp, user, password) {
  return new Promise((resolve) => {
    class Launcher extends SessionLauncher {
      constructor () { super(description(comp, user, password), null) }
      makeFactory () {
        return { makeSession: (c) => new Member(c, { ready: resolve }) }
      }
    }
    new Launcher().run().catch(e => { console.log(`FAIL ${comp} launcher: ${e.message}`); process.exit(1) })
  })
}

const now = () => new Date()
const isER = (clord, execType) => (t, o) => t === '8' && o.ClOrdID === clord && String(o.ExecType) === execType

async function main () {
  const m3 = await launch('M3', 'm3', 'demo-m3')
  check('M3 logs on', true)
  const m2 = await launch('M2', 'm2', 'demo-m2')
  check('M2 logs on', true)

  m3.order('D', { ClOrdID: 'JS-S1', Instrument: { Symbol: 'CCER-JX-01' }, Side: '2', TransactTime: now(), OrderQty: 10, OrdType: '2', Price: 72.5, TimeInForce: '1' })
  const n = await m3.wait(isER('JS-S1', '0'))
  check('New order acknowledged', n.o.OrdStatus === '0', `LeavesQty=${n.o.LeavesQty}`)

  m2.order('D', { ClOrdID: 'JS-B1', Instrument: { Symbol: 'CCER-JX-01' }, Side: '1', TransactTime: now(), OrderQty: 4, OrdType: '2', Price: 72.5, TimeInForce: '0' })
  const buyFill = await m2.wait(isER('JS-B1', 'F'))
  check('buyer filled', buyFill.o.OrdStatus === '2' && Number(buyFill.o.LastQty) === 4 && Number(buyFill.o.LastPx) === 72.5,
    `LastQty=${buyFill.o.LastQty} LastPx=${buyFill.o.LastPx}`)
  const sellFill = await m3.wait(isER('JS-S1', 'F'))
  check('seller partially filled', sellFill.o.OrdStatus === '1' && Number(sellFill.o.CumQty) === 4 && Number(sellFill.o.LeavesQty) === 6,
    `CumQty=${sellFill.o.CumQty} LeavesQty=${sellFill.o.LeavesQty}`)

  m3.order('F', { OrigClOrdID: 'JS-S1', ClOrdID: 'JS-C1', Instrument: { Symbol: 'CCER-JX-01' }, Side: '2', TransactTime: now() })
  const c = await m3.wait(isER('JS-C1', '4'))
  check('rest cancelled', c.o.OrdStatus === '4' && Number(c.o.CumQty) === 4, `CumQty=${c.o.CumQty}`)

  m3.order('V', { MDReqID: 'JS-MD', SubscriptionRequestType: '0', MarketDepth: 5, NoMDEntryTypes: [{ MDEntryType: '0' }, { MDEntryType: '1' }, { MDEntryType: '2' }], NoRelatedSym: [{ Symbol: 'CCER-JX-01' }] })
  const w = await m3.wait((t) => t === 'W')
  const entries = w.o.NoMDEntries || []
  const last = entries.find(e => String(e.MDEntryType) === '2')
  check('market data snapshot', last && Number(last.MDEntryPx) === 72.5, JSON.stringify(entries))

  m3.done()
  m2.done()
}

const timer = setTimeout(() => { console.log('FAIL timeout'); process.exit(1) }, 30000)
main().then(() => {
  clearTimeout(timer)
  const ok = results.length > 0 && results.every(Boolean)
  console.log(ok ? 'interop: all checks passed' : 'interop: some checks failed')
  setTimeout(() => process.exit(ok ? 0 : 1), 200)
}).catch(e => { console.log(`FAIL ${e.message}`); process.exit(1) })
