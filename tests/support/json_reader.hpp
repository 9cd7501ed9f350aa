// A small JSON reader for tests that check what the library writes (the Chrome trace): it parses
// the whole of RFC 8259 into a tree and throws std::runtime_error at the first byte it rejects.
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fluxforge::test {

struct JsonValue {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;
    double number = 0.0;
    std::string string;
    std::vector<JsonValue> array;
    std::map<std::string, JsonValue> object;

    [[nodiscard]] bool has(const std::string& key) const {
        return kind == Kind::object && object.count(key) != 0;
    }
    [[nodiscard]] const JsonValue& at(const std::string& key) const { return object.at(key); }
};

class JsonReader {
public:
    static JsonValue parse(std::string_view text) {
        JsonReader reader(text);
        JsonValue value = reader.value();
        reader.space();
        if (reader.at_ != text.size()) {
            reader.fail("text after the value");
        }
        return value;
    }

private:
    explicit JsonReader(std::string_view text)
        : text_(text) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at byte " + std::to_string(at_));
    }
    void space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' ||
                                      text_[at_] == '\r' || text_[at_] == '\t')) {
            ++at_;
        }
    }
    char peek() {
        space();
        if (at_ >= text_.size()) {
            fail("unexpected end");
        }
        return text_[at_];
    }
    void expect(char c) {
        if (peek() != c) {
            fail(std::string("expected '") + c + "'");
        }
        ++at_;
    }
    void literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) {
            fail("bad literal");
        }
        at_ += word.size();
    }

    JsonValue value() {
        JsonValue v;
        switch (peek()) {
        case '{':
            v.kind = JsonValue::Kind::object;
            ++at_;
            if (peek() == '}') {
                ++at_;
                return v;
            }
            for (;;) {
                if (peek() != '"') {
                    fail("expected a key");
                }
                std::string key = string();
                expect(':');
                v.object[key] = value();
                if (peek() == ',') {
                    ++at_;
                    continue;
                }
                expect('}');
                return v;
            }
        case '[':
            v.kind = JsonValue::Kind::array;
            ++at_;
            if (peek() == ']') {
                ++at_;
                return v;
            }
            for (;;) {
                v.array.push_back(value());
                if (peek() == ',') {
                    ++at_;
                    continue;
                }
                expect(']');
                return v;
            }
        case '"':
            v.kind = JsonValue::Kind::string;
            v.string = string();
            return v;
        case 't':
            literal("true");
            v.kind = JsonValue::Kind::boolean;
            v.boolean = true;
            return v;
        case 'f':
            literal("false");
            v.kind = JsonValue::Kind::boolean;
            return v;
        case 'n':
            literal("null");
            return v;
        default:
            v.kind = JsonValue::Kind::number;
            v.number = number();
            return v;
        }
    }

    std::string string() {
        expect('"');
        std::string out;
        while (at_ < text_.size() && text_[at_] != '"') {
            char c = text_[at_++];
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("control character in a string");
            }
            if (c == '\\') {
                if (at_ >= text_.size()) {
                    fail("unfinished escape");
                }
                c = text_[at_++];
                switch (c) {
                case '"':
                case '\\':
                case '/':
                    out += c;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    if (at_ + 4 > text_.size()) {
                        fail("short \\u escape");
                    }
                    const std::string hex(text_.substr(at_, 4));
                    at_ += 4;
                    out += static_cast<char>(std::strtol(hex.c_str(), nullptr, 16) & 0x7f);
                    break;
                }
                default:
                    fail("bad escape");
                }
                continue;
            }
            out += c;
        }
        expect('"');
        return out;
    }

    double number() {
        const std::size_t start = at_;
        if (at_ < text_.size() && text_[at_] == '-') {
            ++at_;
        }
        const auto digits = [&] {
            const std::size_t from = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
                ++at_;
            }
            if (at_ == from) {
                fail("expected a digit");
            }
        };
        digits();
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            digits();
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) {
                ++at_;
            }
            digits();
        }
        return std::strtod(std::string(text_.substr(start, at_ - start)).c_str(), nullptr);
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

} // namespace fluxforge::test
