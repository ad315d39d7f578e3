#include "actors/pgwire/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstring>

#include "actors/pgwire/protocol.h"
#include "storage/error.h"

namespace db001::pgwire {

namespace {

using key_t = std::array<uint8_t, scram_key_length>;

constexpr char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

key_t hmac(const key_t& key, std::string_view msg) {
  key_t out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
       out.data(), &len);
  return out;
}

key_t sha256(const uint8_t* data, size_t n) {
  key_t out{};
  SHA256(data, n, out.data());
  return out;
}

std::string_view as_view(const key_t& k) { return {reinterpret_cast<const char*>(k.data()), k.size()}; }

[[noreturn]] void malformed(const std::string& detail) {
  throw db_error(sqlstate::protocol_violation, "malformed SCRAM message").with_detail(detail);
}

/// PostgreSQL's sanitize_char: a printable character as itself, others as 0x%02x.
std::string sanitize_char(char c) {
  char buf[8];
  if (c >= 0x21 && c <= 0x7E)
    std::snprintf(buf, sizeof buf, "%c", c);
  else
    std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned char>(c));
  return buf;
}

/// A cursor over a SCRAM message, with auth-scram.c's attribute readers. The end of the
/// string plays the role of PostgreSQL's NUL terminator (peek() returns '\0' there).
struct attr_reader {
  std::string_view s;
  size_t p = 0;
  char peek() const { return p < s.size() ? s[p] : '\0'; }
  /// read_attr_value: "<attr>=<value>" up to ',' or the end.
  std::string_view value_of(char attr) {
    if (peek() != attr) {
      malformed(std::string("Expected attribute \"") + attr + "\" but found \"" + sanitize_char(peek()) + "\".");
    }
    ++p;
    if (peek() != '=') malformed(std::string("Expected character \"=\" for attribute \"") + attr + "\".");
    ++p;
    return rest_of_attr();
  }
  /// read_any_attr: any letter attribute; returns its value and sets `attr`.
  std::string_view any(char& attr) {
    const char c = peek();
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
      malformed("Attribute expected, but found invalid character \"" + sanitize_char(c) + "\".");
    attr = c;
    ++p;
    if (peek() != '=') malformed(std::string("Expected character \"=\" for attribute \"") + attr + "\".");
    ++p;
    return rest_of_attr();
  }
  std::string_view rest_of_attr() {
    const size_t begin = p;
    while (p < s.size() && s[p] != ',') ++p;
    std::string_view v = s.substr(begin, p - begin);
    if (p < s.size()) ++p;  // skip ','
    return v;
  }
};

/// PostgreSQL's is_scram_printable: 0x21..0x7E except ','.
bool is_printable(std::string_view s) {
  for (char c : s)
    if (c < 0x21 || c > 0x7E || c == ',') return false;
  return true;
}

void check_message(std::string_view msg) {
  if (msg.empty()) malformed("The message is empty.");
  if (std::memchr(msg.data(), 0, msg.size())) malformed("Message length does not match input length.");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// base64 and randomness
// ---------------------------------------------------------------------------------------------

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t(u[i]) << 16) | (uint32_t(u[i + 1]) << 8) | u[i + 2];
    out.push_back(b64_chars[v >> 18]);
    out.push_back(b64_chars[(v >> 12) & 63]);
    out.push_back(b64_chars[(v >> 6) & 63]);
    out.push_back(b64_chars[v & 63]);
  }
  if (const size_t rest = bytes.size() - i; rest) {
    uint32_t v = uint32_t(u[i]) << 16;
    if (rest == 2) v |= uint32_t(u[i + 1]) << 8;
    out.push_back(b64_chars[v >> 18]);
    out.push_back(b64_chars[(v >> 12) & 63]);
    out.push_back(rest == 2 ? b64_chars[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0, pad = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      if (pad > 2) return std::nullopt;
      continue;
    } else {
      return std::nullopt;
    }
    if (pad) return std::nullopt;  // data after padding
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xFF));
    }
  }
  // Leftover bits must be what the padding implies: none without padding, 4 bits with "=="
  // (one byte in the last group), 2 bits with "=" (two bytes).
  if (!((bits == 0 && pad == 0) || (bits == 4 && pad == 2) || (bits == 2 && pad == 1))) return std::nullopt;
  return out;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), int(n)) != 1)
    throw db_error(sqlstate::internal_error, "could not generate random bytes");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verifiers
// ---------------------------------------------------------------------------------------------

scram_verifier scram_verifier::make(std::string_view password, std::string_view salt, int iterations) {
  key_t salted{};
  PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                    int(salt.size()), iterations, EVP_sha256(), int(salted.size()), salted.data());
  const key_t client_key = hmac(salted, "Client Key");
  scram_verifier v;
  v.iterations = iterations;
  v.salt = std::string(salt);
  v.stored_key = sha256(client_key.data(), client_key.size());
  v.server_key = hmac(salted, "Server Key");
  return v;
}

scram_verifier scram_verifier::make(std::string_view password) {
  return make(password, random_bytes(scram_salt_length), scram_default_iterations);
}

std::string scram_verifier::to_string() const {
  return std::string(scram_mechanism) + "$" + std::to_string(iterations) + ":" + base64_encode(salt) + "$" +
         base64_encode(as_view(stored_key)) + ":" + base64_encode(as_view(server_key));
}

std::optional<scram_verifier> scram_verifier::parse(std::string_view text) {
  // SCRAM-SHA-256$<iterations>:<salt>$<storedkey>:<serverkey>
  const std::string prefix = std::string(scram_mechanism) + "$";
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  const size_t colon1 = text.find(':');
  const size_t dollar = text.find('$');
  if (colon1 == std::string_view::npos || dollar == std::string_view::npos || dollar < colon1) return std::nullopt;
  const size_t colon2 = text.find(':', dollar);
  if (colon2 == std::string_view::npos) return std::nullopt;
  const std::string_view iter = text.substr(0, colon1);
  if (iter.empty() || iter.size() > 9) return std::nullopt;
  int iterations = 0;
  for (char c : iter) {
    if (c < '0' || c > '9') return std::nullopt;
    iterations = iterations * 10 + (c - '0');
  }
  if (iterations <= 0) return std::nullopt;
  auto salt = base64_decode(text.substr(colon1 + 1, dollar - colon1 - 1));
  auto stored = base64_decode(text.substr(dollar + 1, colon2 - dollar - 1));
  auto server = base64_decode(text.substr(colon2 + 1));
  if (!salt || salt->empty() || !stored || stored->size() != scram_key_length || !server ||
      server->size() != scram_key_length)
    return std::nullopt;
  scram_verifier v;
  v.iterations = iterations;
  v.salt = std::move(*salt);
  std::memcpy(v.stored_key.data(), stored->data(), scram_key_length);
  std::memcpy(v.server_key.data(), server->data(), scram_key_length);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Exchange
// ---------------------------------------------------------------------------------------------

scram_server::scram_server(std::string user, std::optional<scram_verifier> verifier, std::string_view mock_secret)
    : user_(std::move(user)) {
  if (verifier) {
    verifier_ = std::move(*verifier);
  } else {
    // PostgreSQL's scram_mock_salt: SHA-256 of the user name and a server secret.
    doomed_ = true;
    std::string seed = user_;
    seed.append(mock_secret);
    const key_t h = sha256(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
    verifier_.iterations = scram_default_iterations;
    verifier_.salt.assign(reinterpret_cast<const char*>(h.data()), scram_salt_length);
  }
}

std::string scram_server::initial_response(std::string_view mechanism, const std::optional<std::string>& data) {
  if (state_ != state::client_first) throw db_error(sqlstate::protocol_violation, "unexpected SASL initial response");
  if (mechanism != scram_mechanism) {
    state_ = state::failed;
    throw db_error(sqlstate::protocol_violation, "client selected an invalid SASL authentication mechanism");
  }
  if (!data) return {};
  return response(*data);
}

std::string scram_server::response(std::string_view data) {
  try {
    switch (state_) {
      case state::client_first:
        return client_first(data);
      case state::client_final:
        return client_final(data);
      case state::done:
      case state::failed:
        break;
    }
    throw db_error(sqlstate::protocol_violation, "unexpected SASL response");
  } catch (...) {
    state_ = state::failed;
    throw;
  }
}

std::string scram_server::client_first(std::string_view msg) {
  check_message(msg);
  attr_reader r{msg};
  // gs2-header: channel-binding flag, authzid.
  switch (r.peek()) {
    case 'n':
    case 'y':
      cbind_flag_ = r.peek();
      ++r.p;
      if (r.peek() != ',') malformed("Comma expected, but found character \"" + sanitize_char(r.peek()) + "\".");
      ++r.p;
      break;
    case 'p':
      malformed(
          "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding "
          "data.");
    default:
      malformed("Unexpected channel-binding flag \"" + sanitize_char(r.peek()) + "\".");
  }
  if (r.peek() == 'a')
    throw db_error(sqlstate::feature_not_supported, "client uses authorization identity, but it is not supported");
  if (r.peek() != ',') malformed("Unexpected attribute \"" + sanitize_char(r.peek()) + "\" in client-first-message.");
  ++r.p;
  client_first_bare_ = std::string(msg.substr(r.p));
  if (r.peek() == 'm')
    throw db_error(sqlstate::feature_not_supported, "client requires an unsupported SCRAM extension");
  (void)r.value_of('n');  // the user name of the startup packet counts, as in PostgreSQL
  client_nonce_ = std::string(r.value_of('r'));
  if (!is_printable(client_nonce_))
    throw db_error(sqlstate::protocol_violation, "non-printable characters in SCRAM nonce");
  while (r.p < msg.size()) {
    char attr;
    (void)r.any(attr);
  }
  if (server_nonce_.empty()) server_nonce_ = base64_encode(random_bytes(scram_raw_nonce_length));
  server_first_ = "r=" + client_nonce_ + server_nonce_ + ",s=" + base64_encode(verifier_.salt) +
                  ",i=" + std::to_string(verifier_.iterations);
  state_ = state::client_final;
  return server_first_;
}

std::string scram_server::client_final(std::string_view msg) {
  check_message(msg);
  attr_reader r{msg};
  const std::string_view cbind = r.value_of('c');
  if (!(cbind == "biws" && cbind_flag_ == 'n') && !(cbind == "eSws" && cbind_flag_ == 'y'))
    throw db_error(sqlstate::protocol_violation, "unexpected SCRAM channel-binding attribute in client-final-message");
  const std::string_view nonce = r.value_of('r');
  // Skip extensions up to the proof; the message without ",p=..." is signed.
  size_t proof_at;
  std::string_view proof_b64;
  char attr;
  do {
    proof_at = r.p - 1;
    proof_b64 = r.any(attr);
  } while (attr != 'p');
  auto proof = base64_decode(proof_b64);
  if (!proof || proof->size() != scram_key_length) malformed("Malformed proof in client-final-message.");
  // Anything after the proof is garbage (a trailing comma is accepted, as in PostgreSQL).
  if (r.p != msg.size()) malformed("Garbage found at the end of client-final-message.");

  if (nonce.size() != client_nonce_.size() + server_nonce_.size() || !nonce.starts_with(client_nonce_) ||
      !nonce.ends_with(server_nonce_))
    throw db_error(sqlstate::protocol_violation, "invalid SCRAM response").with_detail("Nonce does not match.");

  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(msg.substr(0, proof_at));
  // ClientKey = proof XOR HMAC(StoredKey, AuthMessage); valid when H(ClientKey) == StoredKey.
  const key_t client_signature = hmac(verifier_.stored_key, auth_message);
  key_t client_key{};
  for (size_t i = 0; i < scram_key_length; ++i) client_key[i] = uint8_t(proof->at(i)) ^ client_signature[i];
  const key_t computed = sha256(client_key.data(), client_key.size());
  const bool ok = CRYPTO_memcmp(computed.data(), verifier_.stored_key.data(), scram_key_length) == 0;
  if (!ok || doomed_)
    throw db_error(sqlstate::invalid_password, "password authentication failed for user \"" + user_ + "\"");
  state_ = state::done;
  return "v=" + base64_encode(as_view(hmac(verifier_.server_key, auth_message)));
}

}  // namespace db001::pgwire
