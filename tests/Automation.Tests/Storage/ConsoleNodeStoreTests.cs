using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>The console's shared state in the database: sign-in attempts per key and window, and the key ring's elements.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ConsoleNodeStoreTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private TestDatabase _db = null!;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync(provider);

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private async Task<Dictionary<string, int>> CountAsync(DateTimeOffset at, params string[] keys) =>
        (await _db.Storage.CountLoginAttemptAsync(keys, at, Window, default)).ToDictionary(c => c.Key, c => c.Attempts);

    private async Task<List<string>> StoredKeysAsync()
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(default);
        return [.. await connection.QueryAsync<string>("SELECT key FROM login_attempts ORDER BY key")];
    }

    [Test]
    public async Task Attempts_count_per_key_within_the_window_and_start_again_once_it_passed()
    {
        (await CountAsync(Now, "user:ann", "address:a")).Should().Equal(new Dictionary<string, int> { ["user:ann"] = 1, ["address:a"] = 1 });
        (await CountAsync(Now.AddMinutes(5), "user:ann", "address:b")).Should().Equal(new Dictionary<string, int> { ["user:ann"] = 2, ["address:b"] = 1 });
        var third = await _db.Storage.CountLoginAttemptAsync(["user:ann"], Now.AddMinutes(14), Window, default);
        third.Should().ContainSingle().Which.Should().Be(new Automation.Core.Storage.LoginAttempts("user:ann", 3, Now), "the window runs from its first attempt");

        var later = await _db.Storage.CountLoginAttemptAsync(["user:ann"], Now.Add(Window), Window, default);
        later.Should().ContainSingle().Which.Should().Be(new Automation.Core.Storage.LoginAttempts("user:ann", 1, Now.Add(Window)), "the window passed: counting starts again");
    }

    [Test]
    public async Task Counting_deletes_every_finished_window_and_a_sign_in_clears_its_keys()
    {
        await CountAsync(Now, "user:guess-1", "address:a");
        await CountAsync(Now.AddMinutes(10), "user:ann", "address:b");
        (await StoredKeysAsync()).Should().Equal("address:a", "address:b", "user:ann", "user:guess-1");

        await CountAsync(Now.AddMinutes(16), "user:bob", "address:c");
        (await StoredKeysAsync()).Should().Equal(["address:b", "address:c", "user:ann", "user:bob"], "the windows begun at 08:00 are over");

        await _db.Storage.ClearLoginAttemptsAsync(["user:ann", "address:b"], default);
        (await StoredKeysAsync()).Should().Equal("address:c", "user:bob");
    }

    [Test]
    public async Task Key_ring_elements_are_all_kept_in_the_order_stored()
    {
        (await _db.Storage.KeyRingElementsAsync(default)).Should().BeEmpty();
        await _db.Storage.StoreKeyRingElementAsync("key-1", "<key id=\"1\" />", Now, default);
        await _db.Storage.StoreKeyRingElementAsync("key-2", "<key id=\"2\" />", Now, default);
        await _db.Storage.StoreKeyRingElementAsync("key-2", "<revocation />", Now, default);
        (await _db.Storage.KeyRingElementsAsync(default)).Should().Equal("<key id=\"1\" />", "<key id=\"2\" />", "<revocation />");
    }
}
