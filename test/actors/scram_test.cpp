// Tests of SCRAM-SHA-256: the RFC 7677 test vector, a verifier made by PostgreSQL 15
// re-derived from its password, full exchanges (success, wrong password, tampered nonce,
// mock exchange for unknown users) and malformed messages with PostgreSQL's errors.
#include "actors/pgwire/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <boost/test/unit_test.hpp>
#include <functional>
#include <string>

#include "storage/error.h"

using namespace db001;
using namespace db001::pgwire;

namespace {

std::string hmac(std::string_view key, std::string_view msg) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out,
       &len);
  return std::string(reinterpret_cast<char*>(out), 32);
}

/// A minimal SCRAM client: builds the client-final-message for `password` answering
/// `server_first` (and returns the expected server-final-message through `expected_final`).
std::string client_final(std::string_view password, std::string_view client_first_bare, std::string_view server_first,
                         std::string* expected_final = nullptr, std::string_view cbind = "biws") {
  std::string nonce, salt_b64;
  int iterations = 0;
  size_t p = 0;
  while (p < server_first.size()) {
    size_t e = server_first.find(',', p);
    if (e == std::string_view::npos) e = server_first.size();
    std::string_view attr = server_first.substr(p, e - p);
    if (attr.starts_with("r=")) nonce = attr.substr(2);
    if (attr.starts_with("s=")) salt_b64 = attr.substr(2);
    if (attr.starts_with("i=")) iterations = std::stoi(std::string(attr.substr(2)));
    p = e + 1;
  }
  const std::string salt = base64_decode(salt_b64).value();
  unsigned char salted[32];
  PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                    int(salt.size()), iterations, EVP_sha256(), 32, salted);
  const std::string salted_s(reinterpret_cast<char*>(salted), 32);
  const std::string client_key = hmac(salted_s, "Client Key");
  unsigned char stored[32];
  SHA256(reinterpret_cast<const unsigned char*>(client_key.data()), 32, stored);
  const std::string without_proof = "c=" + std::string(cbind) + ",r=" + nonce;
  const std::string auth = std::string(client_first_bare) + "," + std::string(server_first) + "," + without_proof;
  const std::string sig = hmac(std::string_view(reinterpret_cast<char*>(stored), 32), auth);
  std::string proof(32, '\0');
  for (int i = 0; i < 32; ++i) proof[i] = char(client_key[i] ^ sig[i]);
  if (expected_final) *expected_final = "v=" + base64_encode(hmac(hmac(salted_s, "Server Key"), auth));
  return without_proof + ",p=" + base64_encode(proof);
}

std::string err_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const db_error& e) {
    std::string s = e.code() + " " + e.what();
    if (!e.detail().empty()) s += " | " + e.detail();
    return s;
  }
  return "ok";
}

const char* pg_verifier =
    "SCRAM-SHA-256$4096:U9fsw7Ehp7gLhu9pyA0RwA==$5q2oyT6TjSs47pPyhPlmUP13LKro/YVhRipxZiDqZv0=:"
    "auaiSDv94VQ+hAxQEtYXO0E3JqQS2jfaRA/tA/1VFAw=";

}  // namespace

BOOST_AUTO_TEST_SUITE(scram)

BOOST_AUTO_TEST_CASE(base64) {
  BOOST_TEST(base64_encode("") == "");
  BOOST_TEST(base64_encode("f") == "Zg==");
  BOOST_TEST(base64_encode("fo") == "Zm8=");
  BOOST_TEST(base64_encode("foo") == "Zm9v");
  BOOST_TEST(base64_encode("foobar") == "Zm9vYmFy");
  for (const char* s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
    BOOST_TEST(base64_decode(base64_encode(s)).value() == s);
  BOOST_TEST(!base64_decode("Zg=a"));
  BOOST_TEST(!base64_decode("Z==="));
  BOOST_TEST(!base64_decode("Zm9v!"));
  BOOST_TEST(!base64_decode("Zg"));
  BOOST_TEST(random_bytes(18).size() == 18u);
  BOOST_TEST(random_bytes(18) != random_bytes(18));
}

BOOST_AUTO_TEST_CASE(verifier_from_postgres_is_rederived) {
  // SET password_encryption='scram-sha-256'; CREATE ROLE u PASSWORD 'p'; (PostgreSQL 15)
  auto v = scram_verifier::parse(pg_verifier);
  BOOST_REQUIRE(v);
  BOOST_TEST(v->iterations == 4096);
  BOOST_TEST(v->salt.size() == 16u);
  BOOST_TEST(v->to_string() == pg_verifier);
  BOOST_TEST((scram_verifier::make("p", v->salt, 4096) == *v));
  BOOST_TEST(!(scram_verifier::make("q", v->salt, 4096) == *v));
  // Fresh verifiers: random salt, 4096 iterations, parseable.
  auto a = scram_verifier::make("secret");
  auto b = scram_verifier::make("secret");
  BOOST_TEST(a.salt.size() == 16u);
  BOOST_TEST(a.salt != b.salt);
  BOOST_TEST(a.to_string().starts_with("SCRAM-SHA-256$4096:"));
  BOOST_TEST((scram_verifier::parse(a.to_string()).value() == a));
  // Invalid secrets.
  for (const char* bad : {"", "md5abc", "SCRAM-SHA-256$4096:abc", "SCRAM-SHA-256$x:U9fsw7Ehp7gLhu9pyA0RwA==$a:b",
                          "SCRAM-SHA-256$4096:U9fsw7Ehp7gLhu9pyA0RwA==$5q2o:auai",
                          "SCRAM-SHA-256$0:U9fsw7Ehp7gLhu9pyA0RwA==$5q2oyT6TjSs47pPyhPlmUP13LKro/YVhRipxZiDqZv0=:"
                          "auaiSDv94VQ+hAxQEtYXO0E3JqQS2jfaRA/tA/1VFAw="})
    BOOST_TEST(!scram_verifier::parse(bad), bad);
}

BOOST_AUTO_TEST_CASE(rfc7677_test_vector) {
  const std::string salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==").value();
  scram_server s("user", scram_verifier::make("pencil", salt, 4096));
  s.set_server_nonce("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  const std::string first = s.initial_response("SCRAM-SHA-256", std::string("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
  BOOST_TEST(first == "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  BOOST_TEST(!s.done());
  const std::string final_msg = s.response(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  BOOST_TEST(final_msg == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  BOOST_TEST(s.done());
}

BOOST_AUTO_TEST_CASE(full_exchange_with_postgres_verifier) {
  const std::string bare = "n=,r=fyko+d2lbbFgONRv9qkxdawL";
  for (const char* gs2 : {"n,,", "y,,"}) {
    scram_server s("u", scram_verifier::parse(pg_verifier));
    const std::string first = s.initial_response("SCRAM-SHA-256", std::string(gs2) + bare);
    BOOST_TEST(first.starts_with("r=fyko+d2lbbFgONRv9qkxdawL"));
    BOOST_TEST(first.size() == std::string("r=fyko+d2lbbFgONRv9qkxdawL").size() + 24 +
                                   std::string(",s=U9fsw7Ehp7gLhu9pyA0RwA==,i=4096").size());
    std::string expected;
    const std::string fin = client_final("p", bare, first, &expected, gs2[0] == 'n' ? "biws" : "eSws");
    BOOST_TEST(s.response(fin) == expected);
    BOOST_TEST(s.done());
  }
  // Initial response without data: empty challenge, the client-first comes as a SASLResponse.
  scram_server s("u", scram_verifier::parse(pg_verifier));
  BOOST_TEST(s.initial_response("SCRAM-SHA-256", std::nullopt) == "");
  const std::string first = s.response("n,," + bare);
  std::string expected;
  BOOST_TEST(s.response(client_final("p", bare, first, &expected)) == expected);
}

BOOST_AUTO_TEST_CASE(wrong_password_tampered_nonce_and_mock) {
  const std::string bare = "n=ignored,r=abcdef";
  {
    scram_server s("alice", scram_verifier::parse(pg_verifier));
    const std::string first = s.initial_response("SCRAM-SHA-256", "n,," + bare);
    BOOST_TEST(err_of([&] { s.response(client_final("wrong", bare, first)); }) ==
               "28P01 password authentication failed for user \"alice\"");
    BOOST_TEST(!s.done());
    BOOST_CHECK_THROW(s.response("c=biws"), db_error);  // stays failed
  }
  {
    scram_server s("alice", scram_verifier::parse(pg_verifier));
    std::string first = s.initial_response("SCRAM-SHA-256", "n,," + bare);
    std::string tampered = first;
    tampered[first.find(',') - 1] ^= 1;  // last character of the combined nonce
    BOOST_TEST(err_of([&] { s.response(client_final("p", bare, tampered)); }) ==
               "08P01 invalid SCRAM response | Nonce does not match.");
  }
  {
    // Mock exchange: looks like a real one (same shape, stable salt per user), always fails.
    scram_server m1("ghost", std::nullopt, "server-secret");
    scram_server m2("ghost", std::nullopt, "server-secret");
    scram_server m3("other", std::nullopt, "server-secret");
    const std::string f1 = m1.initial_response("SCRAM-SHA-256", "n,," + bare);
    const std::string f2 = m2.initial_response("SCRAM-SHA-256", "n,," + bare);
    const std::string f3 = m3.initial_response("SCRAM-SHA-256", "n,," + bare);
    auto salt_of = [](const std::string& f) { return f.substr(f.find(",s=")); };
    BOOST_TEST(salt_of(f1) == salt_of(f2));
    BOOST_TEST(salt_of(f1) != salt_of(f3));
    BOOST_TEST(base64_decode(salt_of(f1).substr(3, 24)).value().size() == 16u);
    BOOST_TEST(f1.ends_with(",i=4096"));
    BOOST_TEST(f1.size() == f2.size());
    BOOST_TEST(err_of([&] { m1.response(client_final("anything", bare, f1)); }) ==
               "28P01 password authentication failed for user \"ghost\"");
  }
}

BOOST_AUTO_TEST_CASE(malformed_messages) {
  auto first_err = [](std::string mech, std::string data) {
    scram_server s("u", scram_verifier::parse(pg_verifier));
    return err_of([&] { s.initial_response(mech, data); });
  };
  BOOST_TEST(first_err("SCRAM-SHA-256-PLUS", "n,,n=,r=a") ==
             "08P01 client selected an invalid SASL authentication mechanism");
  BOOST_TEST(first_err("SCRAM-SHA-256", "") == "08P01 malformed SCRAM message | The message is empty.");
  BOOST_TEST(first_err("SCRAM-SHA-256", std::string("n,,n=,r=a\0b", 11)) ==
             "08P01 malformed SCRAM message | Message length does not match input length.");
  BOOST_TEST(first_err("SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=a") ==
             "08P01 malformed SCRAM message | The client selected SCRAM-SHA-256 without channel binding, but the "
             "SCRAM message includes channel binding data.");
  BOOST_TEST(first_err("SCRAM-SHA-256", "x,,n=,r=a") ==
             "08P01 malformed SCRAM message | Unexpected channel-binding flag \"x\".");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n") ==
             "08P01 malformed SCRAM message | Comma expected, but found character \"0x00\".");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,a=bob,n=,r=a") ==
             "0A000 client uses authorization identity, but it is not supported");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,x,n=,r=a") ==
             "08P01 malformed SCRAM message | Unexpected attribute \"x\" in client-first-message.");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,,m=ext,n=,r=a") == "0A000 client requires an unsupported SCRAM extension");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,,r=abc") ==
             "08P01 malformed SCRAM message | Expected attribute \"n\" but found \"r\".");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,,n=,r") ==
             "08P01 malformed SCRAM message | Expected character \"=\" for attribute \"r\".");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,,n=,r=a\x01") == "08P01 non-printable characters in SCRAM nonce");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,,n=,r=abc,1=x") ==
             "08P01 malformed SCRAM message | Attribute expected, but found invalid character \"1\".");
  BOOST_TEST(first_err("SCRAM-SHA-256", "n,,n=,r=abc,x=1") == "ok");  // extensions are ignored

  const std::string bare = "n=,r=nonce";
  auto final_err = [&](const std::function<std::string(const std::string&)>& make) {
    scram_server s("u", scram_verifier::parse(pg_verifier));
    const std::string first = s.initial_response("SCRAM-SHA-256", "n,," + bare);
    const std::string nonce = first.substr(2, first.find(',') - 2);
    return err_of([&] { s.response(make(nonce)); });
  };
  const std::string proof = "p=" + base64_encode(std::string(32, 'x'));
  BOOST_TEST(final_err([&](const std::string& n) { return "c=eSws,r=" + n + "," + proof; }) ==
             "08P01 unexpected SCRAM channel-binding attribute in client-final-message");
  BOOST_TEST(final_err([&](const std::string& n) { return "r=" + n + "," + proof; }) ==
             "08P01 malformed SCRAM message | Expected attribute \"c\" but found \"r\".");
  BOOST_TEST(final_err([&](const std::string& n) { return "c=biws,r=" + n; }) ==
             "08P01 malformed SCRAM message | Attribute expected, but found invalid character \"0x00\".");
  BOOST_TEST(final_err([&](const std::string& n) { return "c=biws,r=" + n + ",p=abc"; }) ==
             "08P01 malformed SCRAM message | Malformed proof in client-final-message.");
  BOOST_TEST(final_err([&](const std::string& n) { return "c=biws,r=" + n + "," + proof + ",x=1"; }) ==
             "08P01 malformed SCRAM message | Garbage found at the end of client-final-message.");
  BOOST_TEST(final_err([&](const std::string& n) { return "c=biws,r=" + n + "x," + proof; }) ==
             "08P01 invalid SCRAM response | Nonce does not match.");
  BOOST_TEST(final_err([&](const std::string& n) { return "c=biws,r=" + n + "," + proof; }) ==
             "28P01 password authentication failed for user \"u\"");
  BOOST_TEST(final_err([&](const std::string&) { return std::string(); }) ==
             "08P01 malformed SCRAM message | The message is empty.");
}

BOOST_AUTO_TEST_SUITE_END()
