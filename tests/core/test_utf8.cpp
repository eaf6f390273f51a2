// The incremental UTF-8 validator: boundaries, invalid forms, fail-fast.
#include "utf8.h"
#include "cmocka_cpp.h"
#include <cstring>

#include <string>

using polyws::Utf8Validator;
using polyws::is_valid_utf8;

static bool valid(const std::string &s) { return is_valid_utf8(s.data(), s.size()); }

static void test_valid_boundaries(void **) {
    assert_true(valid(""));
    assert_true(valid("plain ascii"));
    assert_true(valid("\x7f"));
    assert_true(valid("\xc2\x80"));                 // U+0080
    assert_true(valid("\xdf\xbf"));                 // U+07FF
    assert_true(valid("\xe0\xa0\x80"));             // U+0800
    assert_true(valid("\xed\x9f\xbf"));             // U+D7FF
    assert_true(valid("\xee\x80\x80"));             // U+E000
    assert_true(valid("\xef\xbf\xbf"));             // U+FFFF
    assert_true(valid("\xf0\x90\x80\x80"));         // U+10000
    assert_true(valid("\xf4\x8f\xbf\xbf"));         // U+10FFFF
    assert_true(valid("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")); // κόσμε
}

static void test_invalid_forms(void **) {
    assert_false(valid("\x80"));                    // lone continuation
    assert_false(valid("\xc0\xaf"));                // overlong '/'
    assert_false(valid("\xc1\xbf"));
    assert_false(valid("\xe0\x80\xaf"));            // overlong
    assert_false(valid("\xf0\x80\x80\xaf"));        // overlong
    assert_false(valid("\xed\xa0\x80"));            // U+D800 surrogate
    assert_false(valid("\xed\xbf\xbf"));            // U+DFFF surrogate
    assert_false(valid("\xf4\x90\x80\x80"));        // above U+10FFFF
    assert_false(valid("\xf5\x80\x80\x80"));
    assert_false(valid("\xff"));
    assert_false(valid("\xc2"));                    // truncated
    assert_false(valid("\xe2\x82"));
    assert_false(valid("abc\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80" "edited"));
}

static void test_split_sequences_across_pieces(void **) {
    const std::string euro = "\xe2\x82\xac";
    for (size_t cut = 0; cut <= euro.size(); ++cut) {
        Utf8Validator v;
        assert_true(v.feed(reinterpret_cast<const uint8_t *>(euro.data()), cut));
        assert_int_equal(v.complete(), cut == 0 || cut == euro.size());
        assert_true(v.feed(reinterpret_cast<const uint8_t *>(euro.data()) + cut, euro.size() - cut));
        assert_true(v.complete());
    }
}

static void test_fails_at_first_impossible_byte(void **) {
    // "\xf4\x90" can never become valid: refuse it before the rest arrives.
    Utf8Validator v;
    const uint8_t start[] = {'o', 'k', 0xf4, 0x90};
    assert_false(v.feed(start, sizeof start));
    assert_true(v.failed());
    const uint8_t more[] = {'a'};
    assert_false(v.feed(more, 1));   // stays failed
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_boundaries),
        cmocka_unit_test(test_invalid_forms),
        cmocka_unit_test(test_split_sequences_across_pieces),
        cmocka_unit_test(test_fails_at_first_impossible_byte),
    };
    return cmocka_run_group_tests_name("utf8", tests, nullptr, nullptr);
}
