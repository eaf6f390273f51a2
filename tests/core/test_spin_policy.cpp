// The adaptive spin before a wait sleeps: when it is tried, how misses make
// it rarer, how a find starts over, and the POLYWS_SPIN_US budget.
#include "spin_policy.h"
#include "cmocka_cpp.h"

using polyws::SpinPolicy;
using us = std::chrono::microseconds;

// How many of the next `waits` waits spin, each spin missing.
static int spins_while_missing(SpinPolicy &policy, int waits) {
    int spins = 0;
    for (int i = 0; i < waits; i++) {
        if (!policy.should_spin()) continue;
        spins++;
        policy.missed();
    }
    return spins;
}

static void test_every_wait_spins_while_spins_find(void **) {
    SpinPolicy policy(us(50));
    for (int i = 0; i < 1000; i++) {
        assert_true(policy.should_spin());
        policy.found();
    }
}

static void test_misses_back_off_exponentially(void **) {
    SpinPolicy policy(us(50));
    // Tries at waits 1, 2, 4, 8, ...: the n-th miss in a row skips 2^n - 1.
    assert_true(policy.should_spin());
    policy.missed();
    assert_false(policy.should_spin());   // 1 skipped
    assert_true(policy.should_spin());
    policy.missed();
    for (int i = 0; i < 3; i++) assert_false(policy.should_spin());
    assert_true(policy.should_spin());
    policy.missed();
    for (int i = 0; i < 7; i++) assert_false(policy.should_spin());
    assert_true(policy.should_spin());
}

static void test_backoff_is_capped(void **) {
    SpinPolicy policy(us(50));
    // 1 + 2 + 4 + ... + 256 waits take the first 9 tries (8 misses counted,
    // the ninth skips 255 like the eighth); from then on one in 256.
    spins_while_missing(policy, 511);
    assert_int_equal(spins_while_missing(policy, 256 * 10), 10);
}

static void test_a_find_starts_over(void **) {
    SpinPolicy policy(us(50));
    spins_while_missing(policy, 2000);   // backed off fully
    int waits = 0;
    while (!policy.should_spin()) waits++;
    assert_in_range(waits, 0, 255);
    policy.found();
    for (int i = 0; i < 10; i++) {
        assert_true(policy.should_spin());
        policy.found();
    }
}

static void test_zero_budget_never_spins(void **) {
    SpinPolicy policy(us(0));
    for (int i = 0; i < 100; i++) assert_false(policy.should_spin());
}

static void test_budget_from_environment(void **) {
    assert_int_equal(SpinPolicy::budget_from(nullptr).count(), SpinPolicy::kDefaultMicroseconds);
    assert_int_equal(SpinPolicy::budget_from("").count(), SpinPolicy::kDefaultMicroseconds);
    assert_int_equal(SpinPolicy::budget_from("0").count(), 0);
    assert_int_equal(SpinPolicy::budget_from("120").count(), 120);
    assert_int_equal(SpinPolicy::budget_from("5000").count(), SpinPolicy::kMostMicroseconds);
    assert_int_equal(SpinPolicy::budget_from("99999999999999999999").count(), SpinPolicy::kMostMicroseconds);
    assert_int_equal(SpinPolicy::budget_from("-3").count(), SpinPolicy::kDefaultMicroseconds);
    assert_int_equal(SpinPolicy::budget_from("50us").count(), SpinPolicy::kDefaultMicroseconds);
    assert_int_equal(SpinPolicy::budget_from("off").count(), SpinPolicy::kDefaultMicroseconds);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_wait_spins_while_spins_find),
        cmocka_unit_test(test_misses_back_off_exponentially),
        cmocka_unit_test(test_backoff_is_capped),
        cmocka_unit_test(test_a_find_starts_over),
        cmocka_unit_test(test_zero_budget_never_spins),
        cmocka_unit_test(test_budget_from_environment),
    };
    return cmocka_run_group_tests_name("spin_policy", tests, nullptr, nullptr);
}
