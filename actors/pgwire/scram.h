#pragma once
/// SCRAM-SHA-256 authentication, server side (RFC 5802 / RFC 7677, as PostgreSQL's
/// auth-scram.c): verifiers in PostgreSQL's pg_authid format and the exchange state machine.
/// Without TLS we offer only "SCRAM-SHA-256" (no -PLUS channel binding). Uses OpenSSL's
/// libcrypto (PBKDF2, HMAC, SHA-256, RAND_bytes). Pure functions and value types; a
/// scram_server belongs to one connection (not thread-safe).
///
/// Exchange, driven by the server loop:
///   w.authentication_sasl({scram_mechanism});
///   'p' -> parse_sasl_initial_response -> out = scram.initial_response(mech, data);
///           w.authentication_sasl_continue(out);
///   'p' -> out = scram.response(sasl_response_data(msg));
///           if (scram.done()) { w.authentication_sasl_final(out); w.authentication_ok(); }
///           else w.authentication_sasl_continue(out);  // (only when the initial response had no data)
///   Any db_error thrown ends the connection with a FATAL ErrorResponse.
/// Errors: 08P01 "malformed SCRAM message" (DETAIL says what), 08P01 "invalid SCRAM response"
/// (DETAIL "Nonce does not match."), 08P01 "client selected an invalid SASL authentication
/// mechanism", 08P01 "non-printable characters in SCRAM nonce", 0A000 "client uses
/// authorization identity, but it is not supported", 0A000 "client requires an unsupported
/// SCRAM extension", 28P01 `password authentication failed for user "<user>"` (wrong
/// proof, or a mock exchange for a user without a verifier: both fail at the same step).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace db001::pgwire {

inline constexpr std::string_view scram_mechanism = "SCRAM-SHA-256";
inline constexpr int scram_default_iterations = 4096;
inline constexpr size_t scram_salt_length = 16;
inline constexpr size_t scram_key_length = 32;
/// Random bytes in the server nonce (base64-encoded to 24 characters).
inline constexpr size_t scram_raw_nonce_length = 18;

/// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);
/// Strict base64 decoding (PostgreSQL's pg_b64_decode: whitespace skipped, '=' only at the
/// end); nullopt on invalid input.
std::optional<std::string> base64_decode(std::string_view text);
/// n cryptographically random bytes (OpenSSL RAND_bytes).
std::string random_bytes(size_t n);

/// A stored SCRAM-SHA-256 secret: iterations, salt, StoredKey and ServerKey.
struct scram_verifier {
  int iterations = scram_default_iterations;
  std::string salt;  ///< raw bytes
  std::array<uint8_t, scram_key_length> stored_key{};
  std::array<uint8_t, scram_key_length> server_key{};

  /// PostgreSQL's text form: "SCRAM-SHA-256$4096:<salt b64>$<StoredKey b64>:<ServerKey b64>".
  std::string to_string() const;
  /// Parses the text form; nullopt if it is not a valid SCRAM-SHA-256 secret.
  static std::optional<scram_verifier> parse(std::string_view text);
  /// The verifier of `password` with a given salt and iteration count (deterministic).
  static scram_verifier make(std::string_view password, std::string_view salt, int iterations);
  /// The verifier of `password` with a fresh random 16-byte salt and 4096 iterations.
  static scram_verifier make(std::string_view password);
  bool operator==(const scram_verifier&) const = default;
};

class scram_server {
 public:
  /// An exchange for `user` (used in the failure message). Without a verifier the exchange
  /// is a mock (PostgreSQL's doomed exchange): a salt derived from the user name and
  /// `mock_secret` (a per-server random string), so that the messages look like a real
  /// user's, and failure at the final step.
  scram_server(std::string user, std::optional<scram_verifier> verifier, std::string_view mock_secret = {});

  /// SASLInitialResponse: checks the mechanism; with data, handles the client-first-message
  /// and returns the server-first-message; without data returns "" (send an empty
  /// SASLContinue and pass the next SASLResponse to response()).
  std::string initial_response(std::string_view mechanism, const std::optional<std::string>& data);
  /// SASLResponse: the client-first-message (if not given yet) or the client-final-message;
  /// returns the server-first- or server-final-message. Throws as listed in the header.
  std::string response(std::string_view data);
  /// True once the client proved the password (the server-final-message was returned).
  bool done() const { return state_ == state::done; }
  /// Replaces the random server nonce (tests: RFC 7677's vector). Before the client-first-message.
  void set_server_nonce(std::string nonce) { server_nonce_ = std::move(nonce); }

 private:
  enum class state { client_first, client_final, done, failed };
  std::string client_first(std::string_view msg);
  std::string client_final(std::string_view msg);

  std::string user_;
  scram_verifier verifier_;
  bool doomed_ = false;
  state state_ = state::client_first;
  char cbind_flag_ = 'n';
  std::string client_nonce_, server_nonce_;
  std::string client_first_bare_, server_first_;
};

}  // namespace db001::pgwire
