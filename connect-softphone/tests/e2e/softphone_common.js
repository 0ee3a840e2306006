// Shared by the pages that speak the softphone signaling protocol (agent_page.html, the agent's
// side; service_page.html, the media service's side): the channel to the test that served the
// page, JSON-RPC ids and deadlines, non-trickle ICE gathering, the oscillator microphone and
// the audio check of what arrives.
"use strict";

const test = new WebSocket(`ws://${location.host}/ws`);
const report = (message) => test.send(JSON.stringify(message));
const fail = (error) => report({ type: "error", message: String((error && error.stack) || error) });
window.onerror = (message) => fail(message);
window.onunhandledrejection = (event) => fail(event.reason);

// The test's messages, kept until the page registers its handler with onTest.
let testHandler = null;
const earlyTestMessages = [];
test.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (testHandler) testHandler(message);
  else earlyTestMessages.push(message);
};
function onTest(handler) {
  testHandler = handler;
  earlyTestMessages.splice(0).forEach(handler);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A random (version 4) UUID: a fresh JSON-RPC id per request.
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Rejects with `what` unless `promise` settles within `ms`.
function deadline(promise, ms, what) {
  let timer;
  const expiry = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

// Spec §8, no trickle: gathering is complete at end-of-candidates, after `ms`, or (audio only)
// with the first component-1 relay candidate. Resolves with every candidate seen until then.
// Call it before setLocalDescription.
function gather(pc, ms) {
  return new Promise((resolve) => {
    const candidates = [];
    const done = () => {
      clearTimeout(timer);
      pc.onicecandidate = null;
      resolve(candidates);
    };
    const timer = setTimeout(done, ms);
    pc.onicecandidate = (event) => {
      if (!event.candidate) return done();
      if (!event.candidate.candidate) return;
      candidates.push(event.candidate.toJSON());
      if (event.candidate.type === "relay" && event.candidate.component === "rtp") done();
    };
  });
}

// A microphone playing an oscillator at `hz`.
function microphone(audio, hz) {
  const oscillator = audio.createOscillator();
  oscillator.frequency.value = hz;
  const gain = audio.createGain();
  gain.gain.value = 0.25;
  const destination = audio.createMediaStreamDestination();
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  return destination.stream;
}

// The inbound audio RTP statistics of `pc`, with the codec's MIME type.
async function inbound(pc) {
  const stats = await pc.getStats();
  let found = { packetsReceived: 0 };
  stats.forEach((stat) => {
    if (stat.type === "inbound-rtp" && stat.kind === "audio") {
      found = stat;
      const codec = stats.get(stat.codecId);
      found.mimeType = codec ? codec.mimeType : undefined;
    }
  });
  return found;
}

// The selected candidate pair of `pc`, as the browser's statistics describe it.
async function selectedPair(pc) {
  const stats = await pc.getStats();
  let pair;
  stats.forEach((stat) => {
    if (stat.type === "transport" && stat.selectedCandidatePairId) pair = stats.get(stat.selectedCandidatePairId);
  });
  if (!pair) return null;
  const describe = (c) => c && { candidateType: c.candidateType, address: c.address, port: c.port, protocol: c.protocol, relayProtocol: c.relayProtocol, url: c.url };
  return { local: describe(stats.get(pair.localCandidateId)), remote: describe(stats.get(pair.remoteCandidateId)) };
}

// Media is up on `call.pc`: reports the selected pair ({type:"media", local, remote}), then what
// `call.remoteStream` carries, one second at a time until `call.ended`:
// {type:"heard", toneShare, toneDb, peakHz, packetsReceived, mimeType}, where toneShare is the
// share of the spectrum's power near `listenHz`.
async function reportMedia(call, listenHz) {
  let pair = await selectedPair(call.pc);
  while (!pair && !call.ended) {
    await sleep(50);
    pair = await selectedPair(call.pc);
  }
  report({ type: "media", ...pair });
  while (!call.remoteStream) await sleep(20);
  const audio = call.audio;
  // Chrome only feeds a remote WebRTC stream into Web Audio while a media element plays it.
  const element = new Audio();
  element.muted = true;
  element.srcObject = call.remoteStream;
  await element.play();
  const analyser = audio.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  audio.createMediaStreamSource(call.remoteStream).connect(analyser);
  while (!call.ended && (await inbound(call.pc)).packetsReceived < 50) await sleep(20);
  const hzPerBin = audio.sampleRate / analyser.fftSize;
  const target = Math.round(listenHz / hzPerBin);
  const bins = new Float32Array(analyser.frequencyBinCount);
  while (!call.ended) {
    const power = new Float64Array(analyser.frequencyBinCount);
    const snapshots = 10;
    for (let i = 0; i < snapshots; i++) {
      await sleep(100);
      analyser.getFloatFrequencyData(bins);
      bins.forEach((db, k) => { power[k] += Math.pow(10, db / 10); });
    }
    if (call.ended) break;
    let total = 0, near = 0, peakBin = 0;
    power.forEach((p, k) => {
      total += p;
      if (Math.abs(k - target) <= 3) near += p;
      if (p > power[peakBin]) peakBin = k;
    });
    const stats = await inbound(call.pc);
    report({
      type: "heard",
      toneShare: total > 0 ? near / total : 0,
      toneDb: 10 * Math.log10(near / snapshots + 1e-30),
      peakHz: peakBin * hzPerBin,
      packetsReceived: stats.packetsReceived,
      mimeType: stats.mimeType || null,
    });
  }
}

// A signaling socket carrying bare JSON-RPC 2.0 frames (§3.2, §4), either end of it.
class Signaling {
  constructor(url) {
    this.url = url;
    this.pending = new Map();
    this.onRequest = () => {};
  }

  // §3.2: at most 3 attempts within the connect budget (10 s).
  async open(budgetMs = 10000) {
    const until = Date.now() + budgetMs;
    let lastError = "signaling socket never opened";
    for (let attempt = 1; attempt <= 3 && Date.now() < until; attempt++) {
      try {
        this.socket = await deadline(this.connectOnce(), until - Date.now(), "signaling connect");
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(String(lastError));
  }

  connectOnce() {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url);
      socket.onopen = () => {
        socket.onclose = () => this.closed();
        resolve(socket);
      };
      socket.onerror = () => reject(new Error("signaling socket error"));
      socket.onclose = () => reject(new Error("signaling socket closed while opening"));
      socket.onmessage = (event) => this.receive(event.data);
    });
  }

  closed() {
    for (const { reject } of this.pending.values()) reject(new Error("signaling socket closed"));
    this.pending.clear();
  }

  // Classification order of §4: a pending request's id, then a method, else dropped.
  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (_) {
      console.warn("dropped a malformed signaling frame");
      return;
    }
    const waiting = message.id !== undefined && this.pending.get(message.id);
    if (waiting) {
      this.pending.delete(message.id);
      if (message.error) {
        waiting.reject(new Error(`${waiting.method} error ${message.error.code}: ${message.error.message}`));
      } else {
        waiting.resolve(message.result || {});
      }
    } else if (typeof message.method === "string") {
      this.onRequest(message);
    } else {
      console.warn("dropped an unroutable signaling message");
    }
  }

  send(message) {
    this.socket.send(JSON.stringify(message));
  }

  // A request with a fresh id; resolves with its result within `ms`.
  request(method, params, ms) {
    const id = uuid();
    const reply = new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
    });
    this.send({ jsonrpc: "2.0", method, params, id });
    return { id, reply: deadline(reply, ms, method).finally(() => this.pending.delete(id)) };
  }

  respond(id, result) {
    this.send({ jsonrpc: "2.0", result, id });
  }

  respondError(id, code, message) {
    this.send({ jsonrpc: "2.0", error: { code, message }, id });
  }

  close() {
    if (this.socket) this.socket.close();
  }
}
