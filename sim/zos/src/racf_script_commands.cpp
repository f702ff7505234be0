// Handlers of the RACF commands that change users, groups, general resource profiles and
// SETROPTS options (RacfCommandTable::standard; grammar in docs/racf.md). Every handler first
// resolves and validates all operands and targets, then mutates: a failing command applies
// nothing.
#include <algorithm>
#include <array>

#include "nsslab/base/bytes.hpp"
#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace nsslab::zos {
namespace {

using Kind = RacfOperand::Kind;

#define RACF_TRY(var, expr)          \
    auto var##_result = (expr);      \
    if (!var##_result)               \
        return var##_result.error(); \
    auto& var = *var##_result  // NOLINT(bugprone-macro-parentheses): var is a name

#define RACF_CHECK(expr)                  \
    do {                                  \
        auto check_result_ = (expr);      \
        if (!check_result_)               \
            return check_result_.error(); \
    } while (false)

// Wraps a database error with the command's position.
Error at(RacfCommand const& command, RacfSourcePos pos, Error const& error) {
    return Error{error.code, command.where(pos) + ": " + command.name + ": " + error.message};
}

// The names of a positional operand (NAME or (NAME1 NAME2)), upper-cased, duplicates dropped.
Result<std::vector<std::string>> names_of(RacfCommand const& command, RacfOperand const& operand) {
    RACF_TRY(values, racf_values(command, operand));
    std::vector<std::string> out;
    for (auto const& v : values) {
        auto upper = racf_upper(v);
        if (std::find(out.begin(), out.end(), upper) == out.end())
            out.push_back(upper);
    }
    return out;
}

// Runs check(name) for every name (errors located at `pos`), then apply(name) for every name.
template <class Check, class Apply>
Result<void> for_all(RacfCommand const& command, RacfSourcePos pos,
                     std::vector<std::string> const& names, Check check, Apply apply) {
    for (auto const& name : names) {
        auto ok = check(name);
        if (!ok)
            return at(command, pos, ok.error());
    }
    for (auto const& name : names) {
        auto done = apply(name);
        NSSLAB_ASSERT(done.has_value(), "RACF command failed after its checks passed");
    }
    return {};
}

// A value that RACF stores as written when quoted and upper-cased otherwise.
std::string stored_value(RacfOperand const& value) {
    return value.kind == Kind::quoted ? value.text : racf_upper(value.text);
}

Result<std::string> single_stored(RacfCommand const& command, RacfOperand const& keyword) {
    if (keyword.args.size() != 1 || !keyword.args[0].is_value()) {
        return racf_error(command, keyword.pos,
                          "expected exactly one value in " + keyword.text + "(...)");
    }
    return stored_value(keyword.args[0]);
}

// ---- users ----

constexpr std::array user_keywords = {
    RacfKeywordSpec{"PASSWORD", RacfArgs::required}, RacfKeywordSpec{"NOPASSWORD", RacfArgs::none},
    RacfKeywordSpec{"PHRASE", RacfArgs::required},   RacfKeywordSpec{"NOPHRASE", RacfArgs::none},
    RacfKeywordSpec{"DFLTGRP", RacfArgs::required},  RacfKeywordSpec{"REVOKE", RacfArgs::none},
    RacfKeywordSpec{"RESUME", RacfArgs::none},       RacfKeywordSpec{"NAME", RacfArgs::required},
    RacfKeywordSpec{"OWNER", RacfArgs::required},    RacfKeywordSpec{"DATA", RacfArgs::required},
};

Result<RacfUserChange> user_change(RacfCommand const& command, RacfOperands const& ops) {
    RacfUserChange change;
    if (ops.has("PASSWORD") && ops.has("NOPASSWORD")) {
        return racf_error(command, ops.get("NOPASSWORD")->pos,
                          "PASSWORD and NOPASSWORD exclude each other");
    }
    if (ops.has("PHRASE") && ops.has("NOPHRASE")) {
        return racf_error(command, ops.get("NOPHRASE")->pos,
                          "PHRASE and NOPHRASE exclude each other");
    }
    if (ops.has("REVOKE") && ops.has("RESUME")) {
        return racf_error(command, ops.get("RESUME")->pos, "REVOKE and RESUME exclude each other");
    }
    if (auto const* k = ops.get("PASSWORD")) {
        RACF_TRY(value, racf_single_value(command, *k));
        change.password = std::optional<std::string>(value);
    }
    if (ops.has("NOPASSWORD"))
        change.password = std::optional<std::string>();
    if (auto const* k = ops.get("PHRASE")) {
        RACF_TRY(value, racf_single_value(command, *k));
        change.phrase = std::optional<std::string>(value);
    }
    if (ops.has("NOPHRASE"))
        change.phrase = std::optional<std::string>();
    if (auto const* k = ops.get("DFLTGRP")) {
        RACF_TRY(value, racf_single_value(command, *k));
        change.default_group = racf_upper(value);
    }
    change.revoke = ops.has("REVOKE");
    change.resume = ops.has("RESUME");
    return change;
}

Result<void> adduser(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, user_keywords));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    RACF_TRY(change, user_change(command, ops));
    if (change.resume) {
        return racf_error(command, ops.get("RESUME")->pos, "RESUME is an ALTUSER keyword");
    }
    auto& db = ctx.racf;
    return for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_add_user(n, change); },
        [&](std::string const& n) { return db.add_user(n, change); });
}

Result<void> altuser(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, user_keywords));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    RACF_TRY(change, user_change(command, ops));
    auto& db = ctx.racf;
    return for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_alter_user(n, change); },
        [&](std::string const& n) { return db.alter_user(n, change); });
}

Result<void> deluser(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, {}));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    auto& db = ctx.racf;
    return for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_delete_user(n); },
        [&](std::string const& n) { return db.delete_user(n); });
}

// ---- groups ----

constexpr std::array group_keywords = {
    RacfKeywordSpec{"SUPGROUP", RacfArgs::required},
    RacfKeywordSpec{"OWNER", RacfArgs::required},
    RacfKeywordSpec{"DATA", RacfArgs::required},
};

Result<void> addgroup(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, group_keywords));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    auto& db = ctx.racf;
    if (auto const* k = ops.get("SUPGROUP")) {
        RACF_TRY(sup, racf_single_value(command, *k));
        if (db.group(sup) == nullptr) {
            return racf_error(command, k->pos,
                              "superior group " + racf_upper(sup) + " is not defined");
        }
    }
    return for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_add_group(n); },
        [&](std::string const& n) { return db.add_group(n); });
}

Result<void> delgroup(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, {}));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    auto& db = ctx.racf;
    return for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_delete_group(n); },
        [&](std::string const& n) { return db.delete_group(n); });
}

constexpr std::array connect_keywords = {
    RacfKeywordSpec{"GROUP", RacfArgs::required},
    RacfKeywordSpec{"OWNER", RacfArgs::required},
    RacfKeywordSpec{"AUTHORITY", RacfArgs::required},
};

Result<std::string> group_operand(RacfCommand const& command, RacfOperands const& ops) {
    auto const* k = ops.get("GROUP");
    if (k == nullptr) {
        return racf_error(command, command.pos,
                          "GROUP(name) is required (the issuer's current group is not modelled)");
    }
    RACF_TRY(g, racf_single_value(command, *k));
    return racf_upper(g);
}

Result<void> connect(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, connect_keywords));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    RACF_TRY(group, group_operand(command, ops));
    auto& db = ctx.racf;
    return for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_connect(n, group); },
        [&](std::string const& n) { return db.connect(n, group); });
}

Result<void> remove(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, connect_keywords));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    RACF_TRY(group, group_operand(command, ops));
    auto& db = ctx.racf;
    return for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_remove(n, group); },
        [&](std::string const& n) { return db.remove(n, group); });
}

// ---- general resource profiles ----

constexpr std::array profile_keywords = {
    RacfKeywordSpec{"UACC", RacfArgs::required},
    RacfKeywordSpec{"APPLDATA", RacfArgs::required},
    RacfKeywordSpec{"SSIGNON", RacfArgs::required},
    RacfKeywordSpec{"NOSSIGNON", RacfArgs::none},
    RacfKeywordSpec{"EPTKTDATA", RacfArgs::required},
    RacfKeywordSpec{"NOEPTKTDATA", RacfArgs::none},
    RacfKeywordSpec{"WARNING", RacfArgs::none},
    RacfKeywordSpec{"NOWARNING", RacfArgs::none},
    RacfKeywordSpec{"OWNER", RacfArgs::required},
    RacfKeywordSpec{"DATA", RacfArgs::required},
};

constexpr std::array ssignon_keywords = {
    RacfKeywordSpec{"KEYMASKED", RacfArgs::required},
    RacfKeywordSpec{"KEYENCRYPTED", RacfArgs::required},
    RacfKeywordSpec{"KEYLABEL", RacfArgs::required},
};

constexpr std::array eptktdata_keywords = {
    RacfKeywordSpec{"PASSTICKETTYPE", RacfArgs::required},
    RacfKeywordSpec{"KEYHEX", RacfArgs::required},
    RacfKeywordSpec{"KEYLABEL", RacfArgs::required},
};

Result<Bytes> hex_key(RacfCommand const& command, RacfOperand const& keyword) {
    RACF_TRY(text, racf_single_value(command, keyword));
    auto bytes = from_hex(text);
    if (!bytes || text.find(' ') != std::string::npos) {
        return racf_error(command, keyword.args[0].pos,
                          keyword.text + " needs hexadecimal digits, e.g. E001193519561977");
    }
    return std::move(*bytes);
}

Result<RacfPassTicketKey> ssignon_key(RacfCommand const& command, RacfOperand const& keyword) {
    RACF_TRY(ops, split_racf_operands(command, keyword.args, 0, 0, ssignon_keywords));
    if (ops.has("KEYENCRYPTED") || ops.has("KEYLABEL")) {
        auto const* k = ops.has("KEYLABEL") ? ops.get("KEYLABEL") : ops.get("KEYENCRYPTED");
        return fail(Errc::unsupported,
                    command.where(k->pos) + ": " + command.name +
                        ": keys in ICSF (KEYENCRYPTED, KEYLABEL) are not modelled; use "
                        "SSIGNON(KEYMASKED(16 hex digits))");
    }
    auto const* masked = ops.get("KEYMASKED");
    if (masked == nullptr) {
        return racf_error(command, keyword.pos, "SSIGNON needs KEYMASKED(16 hex digits)");
    }
    RACF_TRY(key, hex_key(command, *masked));
    if (key.size() != 8) {
        return racf_error(command, masked->args[0].pos,
                          "KEYMASKED needs exactly 16 hexadecimal digits (a DES key)");
    }
    return RacfPassTicketKey{std::move(key), PassTicketType::legacy};
}

Result<RacfPassTicketKey> eptktdata_key(RacfCommand const& command, RacfOperand const& keyword) {
    RACF_TRY(ops, split_racf_operands(command, keyword.args, 0, 0, eptktdata_keywords));
    if (auto const* label = ops.get("KEYLABEL")) {
        return fail(Errc::unsupported,
                    command.where(label->pos) + ": " + command.name +
                        ": ICSF key labels are not modelled; use the emulation keyword "
                        "EPTKTDATA(PASSTICKETTYPE(UPPER|MIXED) KEYHEX(64-512 hex digits))");
    }
    RacfPassTicketKey out;
    out.type = PassTicketType::enhanced_upper;
    if (auto const* type = ops.get("PASSTICKETTYPE")) {
        RACF_TRY(t, racf_single_value(command, *type));
        auto upper = racf_upper(t);
        if (upper == "UPPER") {
            out.type = PassTicketType::enhanced_upper;
        } else if (upper == "MIXED") {
            out.type = PassTicketType::enhanced_mixed;
        } else {
            return racf_error(command, type->args[0].pos, "PASSTICKETTYPE is UPPER or MIXED");
        }
    }
    auto const* hex = ops.get("KEYHEX");
    if (hex == nullptr) {
        return racf_error(command, keyword.pos, "EPTKTDATA needs KEYHEX(64 to 512 hex digits)");
    }
    RACF_TRY(key, hex_key(command, *hex));
    if (key.size() < 32 || key.size() > 256) {
        return racf_error(command, hex->args[0].pos,
                          "KEYHEX needs 64 to 512 hexadecimal digits (a 32 to 256 byte key)");
    }
    out.key = std::move(key);
    return out;
}

Result<RacfProfileChange> profile_change(RacfCommand const& command, RacfOperands const& ops,
                                         bool altering) {
    RacfProfileChange change;
    if (ops.has("WARNING") && ops.has("NOWARNING")) {
        return racf_error(command, ops.get("NOWARNING")->pos,
                          "WARNING and NOWARNING exclude each other");
    }
    if (ops.has("SSIGNON") && ops.has("NOSSIGNON")) {
        return racf_error(command, ops.get("NOSSIGNON")->pos,
                          "SSIGNON and NOSSIGNON exclude each other");
    }
    if (ops.has("EPTKTDATA") && ops.has("NOEPTKTDATA")) {
        return racf_error(command, ops.get("NOEPTKTDATA")->pos,
                          "EPTKTDATA and NOEPTKTDATA exclude each other");
    }
    for (auto no : {"NOSSIGNON", "NOEPTKTDATA", "NOWARNING"}) {
        if (!altering && ops.has(no) && std::string_view(no) != "NOWARNING") {
            return racf_error(command, ops.get(no)->pos, std::string(no) + " is a RALTER keyword");
        }
    }
    if (auto const* k = ops.get("UACC")) {
        RACF_TRY(value, racf_single_value(command, *k));
        auto access = parse_racf_access(value);
        if (!access) {
            return racf_error(command, k->args[0].pos,
                              "UACC is one of NONE, READ, UPDATE, CONTROL, ALTER");
        }
        change.uacc = *access;
    }
    if (auto const* k = ops.get("APPLDATA")) {
        RACF_TRY(value, single_stored(command, *k));
        if (value.size() > 255)
            return racf_error(command, k->pos, "APPLDATA is at most 255 characters");
        change.appldata = value;
    }
    if (ops.has("WARNING"))
        change.warning = true;
    if (ops.has("NOWARNING"))
        change.warning = false;
    if (auto const* k = ops.get("SSIGNON")) {
        RACF_TRY(key, ssignon_key(command, *k));
        change.ssignon = std::optional<RacfPassTicketKey>(key);
    }
    if (ops.has("NOSSIGNON"))
        change.ssignon = std::optional<RacfPassTicketKey>();
    if (auto const* k = ops.get("EPTKTDATA")) {
        RACF_TRY(key, eptktdata_key(command, *k));
        change.eptktdata = std::optional<RacfPassTicketKey>(key);
    }
    if (ops.has("NOEPTKTDATA"))
        change.eptktdata = std::optional<RacfPassTicketKey>();
    return change;
}

Result<std::string> class_of(RacfCommand const& command, RacfOperand const& operand) {
    if (operand.kind != Kind::word) {
        return racf_error(command, operand.pos, "expected a class name, e.g. SERVAUTH");
    }
    auto cls = racf_upper(operand.text);
    if (!is_valid_racf_class_name(cls)) {
        return racf_error(command, operand.pos, "'" + cls + "' is not a valid class name");
    }
    return cls;
}

void raclist_notice(RacfCommandContext& ctx, std::string const& cls, std::string_view what) {
    if (ctx.racf.class_options(cls).raclisted) {
        ctx.messages.push_back("ICH10006I RACLISTED PROFILES FOR " + cls +
                               " WILL NOT REFLECT THE " + std::string(what) +
                               " UNTIL A SETROPTS REFRESH IS ISSUED.");
    }
}

Result<void> rdefine(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 2, 2, profile_keywords));
    RACF_TRY(cls, class_of(command, *ops.positional[0]));
    RACF_TRY(names, names_of(command, *ops.positional[1]));
    RACF_TRY(change, profile_change(command, ops, false));
    auto& db = ctx.racf;
    RACF_CHECK(for_all(
        command, ops.positional[1]->pos, names,
        [&](std::string const& n) { return db.check_define_profile(cls, n, change); },
        [&](std::string const& n) { return db.define_profile(cls, n, change); }));
    raclist_notice(ctx, cls, "ADDITION(S)");
    return {};
}

Result<void> ralter(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 2, 2, profile_keywords));
    RACF_TRY(cls, class_of(command, *ops.positional[0]));
    RACF_TRY(names, names_of(command, *ops.positional[1]));
    RACF_TRY(change, profile_change(command, ops, true));
    auto& db = ctx.racf;
    RACF_CHECK(for_all(
        command, ops.positional[1]->pos, names,
        [&](std::string const& n) { return db.check_alter_profile(cls, n, change); },
        [&](std::string const& n) { return db.alter_profile(cls, n, change); }));
    raclist_notice(ctx, cls, "CHANGE(S)");
    return {};
}

Result<void> rdelete(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 2, 2, {}));
    RACF_TRY(cls, class_of(command, *ops.positional[0]));
    RACF_TRY(names, names_of(command, *ops.positional[1]));
    auto& db = ctx.racf;
    RACF_CHECK(for_all(
        command, ops.positional[1]->pos, names,
        [&](std::string const& n) { return db.check_delete_profile(cls, n); },
        [&](std::string const& n) { return db.delete_profile(cls, n); }));
    raclist_notice(ctx, cls, "DELETION(S)");
    return {};
}

constexpr std::array permit_keywords = {
    RacfKeywordSpec{"CLASS", RacfArgs::required},
    RacfKeywordSpec{"ID", RacfArgs::required},
    RacfKeywordSpec{"ACCESS", RacfArgs::required},
    RacfKeywordSpec{"DELETE", RacfArgs::none},
};

Result<void> permit(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 1, 1, permit_keywords));
    RACF_TRY(names, names_of(command, *ops.positional[0]));
    auto const* class_kw = ops.get("CLASS");
    if (class_kw == nullptr) {
        return racf_error(command, command.pos,
                          "CLASS(name) is required (DATASET profiles are not modelled)");
    }
    RACF_TRY(cls_value, racf_single_value(command, *class_kw));
    std::string cls = racf_upper(cls_value);
    if (!is_valid_racf_class_name(cls)) {
        return racf_error(command, class_kw->args[0].pos,
                          "'" + cls + "' is not a valid class name");
    }
    auto const* id_kw = ops.get("ID");
    if (id_kw == nullptr)
        return racf_error(command, command.pos, "ID(user or group ...) is required");
    RACF_TRY(ids, names_of(command, *id_kw));
    std::optional<RacfAccess> access = RacfAccess::read;  // RACF's default
    if (ops.has("DELETE")) {
        if (ops.has("ACCESS")) {
            return racf_error(command, ops.get("DELETE")->pos,
                              "ACCESS and DELETE exclude each other");
        }
        access = std::nullopt;
    } else if (auto const* k = ops.get("ACCESS")) {
        RACF_TRY(value, racf_single_value(command, *k));
        access = parse_racf_access(value);
        if (!access) {
            return racf_error(command, k->args[0].pos,
                              "ACCESS is one of NONE, READ, UPDATE, CONTROL, ALTER");
        }
    }
    auto& db = ctx.racf;
    RACF_CHECK(for_all(
        command, ops.positional[0]->pos, names,
        [&](std::string const& n) { return db.check_permit(cls, n, ids, access); },
        [&](std::string const& n) { return db.permit(cls, n, ids, access); }));
    raclist_notice(ctx, cls, "UPDATE(S)");
    return {};
}

// ---- SETROPTS ----

constexpr std::array setropts_keywords = {
    RacfKeywordSpec{"CLASSACT", RacfArgs::required},
    RacfKeywordSpec{"NOCLASSACT", RacfArgs::required},
    RacfKeywordSpec{"RACLIST", RacfArgs::required},
    RacfKeywordSpec{"NORACLIST", RacfArgs::required},
    RacfKeywordSpec{"GENERIC", RacfArgs::required},
    RacfKeywordSpec{"NOGENERIC", RacfArgs::required},
    RacfKeywordSpec{"GENCMD", RacfArgs::required},
    RacfKeywordSpec{"NOGENCMD", RacfArgs::required},
    RacfKeywordSpec{"REFRESH", RacfArgs::none},
    RacfKeywordSpec{"PASSWORD", RacfArgs::required},
    RacfKeywordSpec{"LIST", RacfArgs::none},
};

constexpr std::array password_keywords = {
    RacfKeywordSpec{"REVOKE", RacfArgs::required},
    RacfKeywordSpec{"NOREVOKE", RacfArgs::none},
    RacfKeywordSpec{"MIXEDCASE", RacfArgs::none},
    RacfKeywordSpec{"NOMIXEDCASE", RacfArgs::none},
};

Result<std::vector<std::string>> classes_of(RacfCommand const& command,
                                            RacfOperand const& keyword) {
    std::vector<std::string> out;
    for (auto const& arg : keyword.args) {
        if (arg.kind != Kind::word)
            return racf_error(command, arg.pos, "expected a class name");
        auto cls = racf_upper(arg.text);
        if (!is_valid_racf_class_name(cls)) {
            return racf_error(command, arg.pos,
                              "'" + cls +
                                  "' is not a valid class name (CLASSACT(*) and other "
                                  "all-class forms are not modelled)");
        }
        if (std::find(out.begin(), out.end(), cls) == out.end())
            out.push_back(cls);
    }
    return out;
}

std::string yes_no(bool v) {
    return v ? "YES" : "NO";
}

Result<void> setropts(RacfCommand const& command, RacfCommandContext& ctx) {
    RACF_TRY(ops, split_racf_operands(command, command.operands, 0, 0, setropts_keywords));
    auto& db = ctx.racf;
    if (ops.keywords.empty())
        return racf_error(command, command.pos, "expected at least one keyword");

    std::map<std::string_view, std::vector<std::string>> lists;
    for (auto name : {"CLASSACT", "NOCLASSACT", "RACLIST", "NORACLIST", "GENERIC", "NOGENERIC",
                      "GENCMD", "NOGENCMD"}) {
        if (auto const* k = ops.get(name)) {
            RACF_TRY(classes, classes_of(command, *k));
            lists[name] = classes;
        }
    }
    auto conflict = [&](std::string_view a, std::string_view b) -> Result<void> {
        if (!lists.count(a) || !lists.count(b))
            return {};
        for (auto const& c : lists[a]) {
            if (std::find(lists[b].begin(), lists[b].end(), c) != lists[b].end()) {
                return racf_error(command, ops.get(b)->pos,
                                  std::string(a) + " and " + std::string(b) + " both name " + c);
            }
        }
        return {};
    };
    RACF_CHECK(conflict("CLASSACT", "NOCLASSACT"));
    RACF_CHECK(conflict("RACLIST", "NORACLIST"));
    RACF_CHECK(conflict("GENERIC", "NOGENERIC"));
    RACF_CHECK(conflict("GENCMD", "NOGENCMD"));

    bool refresh = ops.has("REFRESH");
    if (refresh) {
        for (auto const& [name, op] : ops.keywords) {
            if (name != "REFRESH" && name != "RACLIST" && name != "GENERIC") {
                return racf_error(command, op->pos,
                                  "REFRESH goes with RACLIST(...) or GENERIC(...) only, not " +
                                      std::string(name));
            }
        }
        if (!ops.has("RACLIST") && !ops.has("GENERIC")) {
            return racf_error(command, ops.get("REFRESH")->pos,
                              "REFRESH needs RACLIST(class ...) or GENERIC(class ...)");
        }
        for (auto const& c : lists["RACLIST"]) {
            if (!db.class_options(c).raclisted) {
                return racf_error(command, ops.get("RACLIST")->pos,
                                  std::string("class ")
                                      .append(c)
                                      .append(" is not RACLISTed; issue SETROPTS RACLIST(")
                                      .append(c)
                                      .append(") first"));
            }
        }
    }

    std::optional<std::optional<std::uint32_t>> revoke;
    std::optional<bool> mixed;
    if (auto const* k = ops.get("PASSWORD")) {
        RACF_TRY(pw, split_racf_operands(command, k->args, 0, 0, password_keywords));
        if (pw.has("REVOKE") && pw.has("NOREVOKE")) {
            return racf_error(command, pw.get("NOREVOKE")->pos,
                              "REVOKE and NOREVOKE exclude each other");
        }
        if (pw.has("MIXEDCASE") && pw.has("NOMIXEDCASE")) {
            return racf_error(command, pw.get("NOMIXEDCASE")->pos,
                              "MIXEDCASE and NOMIXEDCASE exclude each other");
        }
        if (auto const* r = pw.get("REVOKE")) {
            RACF_TRY(n_text, racf_single_value(command, *r));
            std::uint32_t n = 0;
            bool digits = !n_text.empty() && n_text.size() <= 3 &&
                          std::all_of(n_text.begin(), n_text.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
            if (digits)
                n = static_cast<std::uint32_t>(std::stoul(n_text));
            if (!digits || n < 1 || n > 255) {
                return racf_error(command, r->args[0].pos, "REVOKE(n) needs n from 1 to 255");
            }
            revoke = std::optional<std::uint32_t>(n);
        }
        if (pw.has("NOREVOKE"))
            revoke = std::optional<std::uint32_t>();
        if (pw.has("MIXEDCASE"))
            mixed = true;
        if (pw.has("NOMIXEDCASE"))
            mixed = false;
    }

    // Everything is validated; apply (none of these can fail now).
    auto must = [](Result<void> const& r) { NSSLAB_ASSERT(r.has_value(), "SETROPTS step failed"); };
    if (refresh) {
        for (auto const& c : lists["RACLIST"])
            must(db.refresh_raclist(c));
        // GENERIC(c) REFRESH: generic profile changes already apply at once (docs/racf.md).
        for (auto const& c : lists["RACLIST"]) {
            ctx.messages.push_back(std::string("SETROPTS RACLIST(")
                                       .append(c)
                                       .append(") REFRESH: in-storage profiles of ")
                                       .append(c)
                                       .append(" refreshed"));
        }
        return {};
    }
    for (auto const& c : lists["CLASSACT"])
        must(db.set_class_active(c, true));
    for (auto const& c : lists["NOCLASSACT"])
        must(db.set_class_active(c, false));
    for (auto const& c : lists["GENERIC"])
        must(db.set_class_generic(c, true));
    for (auto const& c : lists["GENCMD"])
        must(db.set_class_gencmd(c, true));
    for (auto const& c : lists["NOGENERIC"])
        must(db.set_class_generic(c, false));
    for (auto const& c : lists["NOGENCMD"])
        must(db.set_class_gencmd(c, false));
    for (auto const& c : lists["RACLIST"]) {
        if (!db.class_options(c).raclisted)
            must(db.set_class_raclisted(c, true));
    }
    for (auto const& c : lists["NORACLIST"])
        must(db.set_class_raclisted(c, false));
    if (revoke)
        must(db.set_password_revoke(*revoke));
    if (mixed)
        db.set_password_mixed_case(*mixed);
    if (ops.has("LIST")) {
        std::string line = "PASSWORD REVOKE: ";
        line += db.password_revoke() ? std::to_string(*db.password_revoke()) : "NOREVOKE";
        line += ", MIXEDCASE: " + yes_no(db.password_mixed_case());
        ctx.messages.push_back(line);
    }
    return {};
}

}  // namespace

RacfCommandTable RacfCommandTable::standard() {
    RacfCommandTable table;
    table.add("ADDUSER", {"AU"}, adduser);
    table.add("ALTUSER", {"ALU"}, altuser);
    table.add("DELUSER", {"DU"}, deluser);
    table.add("ADDGROUP", {"AG"}, addgroup);
    table.add("DELGROUP", {"DG"}, delgroup);
    table.add("CONNECT", {"CO"}, connect);
    table.add("REMOVE", {"RE"}, remove);
    table.add("RDEFINE", {"RDEF"}, rdefine);
    table.add("RALTER", {"RALT"}, ralter);
    table.add("RDELETE", {"RDEL"}, rdelete);
    table.add("PERMIT", {"PE"}, permit);
    table.add("SETROPTS", {"SETR"}, setropts);
    return table;
}

}  // namespace nsslab::zos
