using Automation.Channels;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Channels;

/// <summary>The provider token store's claim, written once and run on SQLite, PostgreSQL and in memory.</summary>
public abstract class ProviderTokenStoreContract
{
    private static readonly DateTimeOffset Now = new(2026, 5, 4, 8, 0, 0, TimeSpan.Zero);

    protected abstract Task<IProviderTokenStore> StoreAsync();

    [Test]
    public async Task The_refresh_is_claimed_once_while_the_claim_lives_and_again_only_when_the_token_is_due_or_refused()
    {
        var store = await StoreAsync();
        (await store.ProviderTokenAsync("wechat:a", default)).Should().BeNull();

        (await store.ClaimTokenRefreshAsync("wechat:a", null, Now, Now.AddMinutes(5), Now.AddSeconds(30), default)).Should().BeTrue("no token yet");
        (await store.ClaimTokenRefreshAsync("wechat:a", null, Now, Now.AddMinutes(5), Now.AddSeconds(30), default)).Should().BeFalse("the first claim lives");
        (await store.ClaimTokenRefreshAsync("wechat:a", null, Now.AddSeconds(31), Now.AddMinutes(5), Now.AddSeconds(61), default)).Should().BeTrue("the first claim ran out");

        await store.SaveProviderTokenAsync("wechat:a", new ProviderToken("t1", Now.AddHours(2)), default);
        (await store.ProviderTokenAsync("wechat:a", default)).Should().Be(new ProviderToken("t1", Now.AddHours(2)));
        (await store.ClaimTokenRefreshAsync("wechat:a", null, Now, Now.AddMinutes(5), Now.AddSeconds(30), default)).Should().BeFalse("the token is good");
        (await store.ClaimTokenRefreshAsync("wechat:a", "t0", Now, Now.AddMinutes(5), Now.AddSeconds(30), default)).Should().BeFalse("an older token was refused, not this one");
        (await store.ClaimTokenRefreshAsync("wechat:a", "t1", Now, Now.AddMinutes(5), Now.AddSeconds(30), default)).Should().BeTrue("this token was refused");
        await store.ReleaseTokenRefreshAsync("wechat:a", default);
        (await store.ClaimTokenRefreshAsync("wechat:a", null, Now.AddHours(2).AddMinutes(-4), Now.AddHours(2).AddMinutes(1), Now.AddHours(2), default))
            .Should().BeTrue("the token expires within the margin");
        (await store.ClaimTokenRefreshAsync("wechat:b", null, Now, Now.AddMinutes(5), Now.AddSeconds(30), default)).Should().BeTrue("each account has its own");
    }
}

[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class DatabaseProviderTokenStoreTests(string provider) : ProviderTokenStoreContract
{
    private TestDatabase? _db;

    protected override async Task<IProviderTokenStore> StoreAsync() => (_db = await TestDatabase.CreateAsync(provider)).Storage;

    [TearDown]
    public async Task TearDown()
    {
        if (_db is not null) await _db.DisposeAsync();
    }
}

public sealed class InMemoryProviderTokenStoreTests : ProviderTokenStoreContract
{
    protected override Task<IProviderTokenStore> StoreAsync() => Task.FromResult<IProviderTokenStore>(new InMemoryProviderTokens());
}

/// <summary>
/// Two nodes (two storages on one PostgreSQL database), eight senders each, all needing the token at once: WeChat's
/// token endpoint is called exactly once, since a second fetch would retire the first node's token.
/// </summary>
[NonParallelizable]
public sealed class WeChatTokenRaceTests
{
    private const int Senders = 16;

    [TestCase(false, TestName = "An_expired_token_is_fetched_once_by_sixteen_senders_on_two_nodes")]
    [TestCase(true, TestName = "A_refused_token_is_replaced_once_by_sixteen_senders_on_two_nodes")]
    public async Task Race(bool refused)
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        await using var second = new PostgresStorage(db.ConnectionString);
        await using var weChat = await FakeWeChat.StartAsync();
        weChat.TokenDelay = TimeSpan.FromMilliseconds(300);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 8, 0, 0, TimeSpan.Zero));
        var options = Options.Create(new WeChatOptions { AppId = FakeWeChat.AppId, AppSecret = FakeWeChat.AppSecret, BaseUrl = weChat.Url });
        const string name = $"wechat:{FakeWeChat.AppId}";
        // The stored token: expired, or still in date but just refused by WeChat.
        (await db.Storage.ClaimTokenRefreshAsync(name, null, clock.GetUtcNow(), clock.GetUtcNow(), clock.GetUtcNow(), default)).Should().BeTrue();
        await db.Storage.SaveProviderTokenAsync(name, new ProviderToken("token-0", clock.GetUtcNow().AddMinutes(refused ? 60 : -1)), default);

        using var http = new HttpClient();
        using var nodeA = new WeChatAccessTokens(http, options, db.Storage, clock);
        using var nodeB = new WeChatAccessTokens(http, options, second, clock);
        using var start = new ManualResetEventSlim();
        var senders = Enumerable.Range(0, Senders).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await (i % 2 == 0 ? nodeA : nodeB).TokenAsync(refused ? "token-0" : null, CancellationToken.None);
        })).ToArray();
        start.Set();
        // The waiting senders poll on the clock: move it on until all are served.
        while (!senders.All(s => s.IsCompleted))
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(20);
        }

        (await Task.WhenAll(senders)).Should().OnlyContain(token => token == "token-1");
        weChat.TokenFetches.Should().Be(1);
        (await second.ProviderTokenAsync(name, default))!.Value.Should().Be("token-1");
    }
}
