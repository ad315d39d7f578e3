#pragma once
/// Simple parameterization of a simple query (as SQL Server's "simple parameterization"):
/// the constants of a one-statement SELECT / INSERT / UPDATE / DELETE are taken out as $n
/// parameters, so that the session can run the query through a plan cached under the
/// parameterized text instead of parsing, binding and planning it again. pgbench's simple
/// protocol, and every client that sends the same statement with other constants, then pays
/// for one lexer pass and a hash lookup.
///
/// Only constants whose meaning cannot depend on being a constant are taken out:
///   - integer literals (int4 when they fit, else int8, as PostgreSQL types them; a leading
///     unary minus belongs to the literal) and standard '...' strings (unknown type: the
///     binder infers it from the context, as it types the literal);
///   - that stand alone as the right operand of a comparison or arithmetic operator whose left
///     operand is a column (an identifier) or a parenthesized expression, and are followed by
///     `,` `)` `;`, the end, or a clause keyword (AND, OR, THEN, ...): `aid = 5`,
///     `abalance + -1234`; `1 + 2`, `x = 1 / 0` and `x = '1'::int` keep their constants;
///   - or that are a whole element of an IN (...) list or of an INSERT's VALUES rows.
/// Everything else (ORDER BY / GROUP BY ordinals, LIMIT, type modifiers, typed literals such as
/// DATE '...', E'...' strings, floats and numerics, whose type carries their scale) stays in
/// the text. Texts with $n parameters, dollar quotes or several statements are not taken.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types.h"
#include "storage/value.h"

namespace db001::sql {

struct parameterized_query {
  std::string text;                ///< the statement with $1..$n in place of the constants
  std::string key;                 ///< text plus the parameters' types: the plan cache key
  std::vector<sql_type> types;     ///< declared type per parameter (unknown for strings)
  std::vector<value> values;       ///< the constants, of those types (text for unknown)
};

/// The parameterized form of sql, or nothing when it is not a single SELECT / INSERT / UPDATE
/// / DELETE with at least one constant that can be taken out (see above).
std::optional<parameterized_query> parameterize(std::string_view sql);

}  // namespace db001::sql
