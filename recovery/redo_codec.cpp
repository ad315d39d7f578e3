#include "recovery/redo_codec.h"

namespace db001::recovery {

void encode_row(std::string& out, const storage::table& tbl, storage::row_id rid) {
  auto& blk = tbl.block_of(rid);
  uint32_t slot = storage::rid_slot(rid);
  size_t nc = tbl.column_count();
  size_t bitmap_at = out.size();
  out.append((nc + 7) / 8, '\0');
  for (size_t c = 0; c < nc; ++c) {
    auto& col = blk.column(c);
    if (col.nulls[slot]) {
      out[bitmap_at + c / 8] = char(uint8_t(out[bitmap_at + c / 8]) | (1u << (c % 8)));
      continue;
    }
    phys p = blk.column_type(c);
    if (p == phys::str) {
      auto& s = reinterpret_cast<const string_t*>(col.data)[slot];
      put_le<uint32_t>(out, s.size());
      out.append(s.data(), s.size());
    } else {
      size_t w = phys_size(p);
      out.append(reinterpret_cast<const char*>(col.data) + slot * w, w);
    }
  }
}

void encode_commit(std::string& out, const txn::transaction& t, const storage::catalog& cat) {
  out.append(commit_prefix_size, '\0');
  put_u8(out, commit_format);
  put_u8(out, t.has_ddl ? commit_flag_catalog : 0);
  if (t.has_ddl) {
    size_t len_at = out.size();
    put_le<uint32_t>(out, 0);
    encode_catalog_image(out, cat);
    uint32_t len = uint32_t(out.size() - len_at - 4);
    std::memcpy(out.data() + len_at, &len, 4);
  }
  for (auto& w : t.writes) {
    const auto& tbl = *t.touched[w.table_index];
    put_u8(out, uint8_t(w.inserted ? change_insert : change_delete));
    put_le<uint32_t>(out, tbl.oid());
    put_le<uint64_t>(out, w.rid);
    if (w.inserted) {
      size_t len_at = out.size();
      put_le<uint32_t>(out, 0);
      encode_row(out, tbl, w.rid);
      uint32_t len = uint32_t(out.size() - len_at - 4);
      std::memcpy(out.data() + len_at, &len, 4);
    }
  }
  put_u8(out, uint8_t(change_end));
  put_le<uint32_t>(out, uint32_t(t.writes.size()));
}

void patch_commit_prefix(char* payload, uint64_t commit_ts, uint64_t unix_micros) {
  std::memcpy(payload, &commit_ts, 8);
  std::memcpy(payload + 8, &unix_micros, 8);
}

commit_header peek_commit(std::string_view payload) {
  byte_reader r(payload, "commit record");
  commit_header h;
  h.commit_ts = r.u64();
  h.unix_micros = r.u64();
  if (uint8_t f = r.u8(); f != commit_format) r.fail("unknown format " + std::to_string(f));
  return h;
}

}  // namespace db001::recovery
