#pragma once
/// DDL: CREATE/DROP TABLE, INDEX, VIEW. Changes apply to the catalog at once and register
/// undo actions with the transaction, so ROLLBACK restores the catalog.
#include <string>
#include <vector>

#include "sql/engine.h"
#include "sql/parser.h"

namespace db001::sql {

/// Each returns the command tag; notices (e.g. "... already exists, skipping") are appended.
std::string create_table(engine::engine& eng, txn::transaction& t, const node& stmt, const std::string& text,
                         std::vector<std::string>& notices);
std::string drop_objects(engine::engine& eng, txn::transaction& t, const node& stmt, std::vector<std::string>& notices);
std::string create_index(engine::engine& eng, txn::transaction& t, const node& stmt, std::vector<std::string>& notices);
/// ALTER TABLE ... ADD [CONSTRAINT name] PRIMARY KEY | UNIQUE (cols): builds the unique index
/// (PostgreSQL's checks and errors), sets NOT NULL on primary key columns.
std::string alter_table(engine::engine& eng, txn::transaction& t, const node& stmt, std::vector<std::string>& notices);
std::string create_view(engine::engine& eng, txn::transaction& t, const node& stmt, const std::string& text,
                        std::vector<std::string>& notices);

}  // namespace db001::sql
