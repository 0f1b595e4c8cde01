using Automation.Core.Teams;
using Automation.Storage;
using Automation.Storage.Postgres;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>
/// Teams under concurrency on PostgreSQL, with two nodes (two storages, each with its own pool and engines) on one
/// database: places, memberships and settlements are claimed in the statements that take them.
/// </summary>
public sealed class TeamRaceTests
{
    private const int Racers = 16;
    private static readonly DateTimeOffset Start = new(2026, 11, 18, 10, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private PostgresStorage _secondNode = null!;
    private FakeTimeProvider _clock = null!;
    private TeamSetup[] _nodes = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        _secondNode = new PostgresStorage(_db.ConnectionString);
        _clock = new FakeTimeProvider(Start);
        _nodes = [new TeamSetup(_db.Storage, _clock), new TeamSetup(_secondNode, _clock)];
    }

    [TearDown]
    public async Task TearDown()
    {
        await _secondNode.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>Runs <paramref name="racers"/> at once, alternating nodes, released together.</summary>
    private static async Task<T[]> RaceAsync<T>(TeamSetup[] nodes, Func<TeamSetup, int, Task<T>> racer)
    {
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            return await racer(nodes[i % nodes.Length], i);
        })).ToArray();
        gate.Set();
        return await Task.WhenAll(tasks);
    }

    [Test]
    public async Task Sixteen_friends_racing_for_the_two_free_places_of_a_team_of_three_two_join_the_rest_hear_it_is_full()
    {
        var teamId = (await _nodes[0].Service.OpenAsync("three-split-150", new CustomerIds("ann", null), CancellationToken.None)).Team!.Id;

        var results = await RaceAsync(_nodes, (node, i) => node.Service.JoinAsync(teamId, new CustomerIds($"friend-{i}", null), createUnknown: true, CancellationToken.None));

        results.Count(r => r.Team is not null).Should().Be(2);
        results.Where(r => r.Team is null).Should().HaveCount(Racers - 2).And.OnlyContain(r => r.Refusal == TeamRefusal.Full);
        results.Count(r => r.Team?.Status == TeamStatus.Completed).Should().Be(1);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<int>("SELECT members FROM teams WHERE id = @teamId", new { teamId })).Should().Be(3);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM team_members WHERE team_id = @teamId", new { teamId })).Should().Be(3);
        var shares = (await connection.QueryAsync<decimal>("SELECT amount FROM coupon_codes WHERE campaign = 'team-share'")).ToList();
        shares.Should().HaveCount(3);
        shares.Sum().Should().Be(150m);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Team Completed'")).Should().Be(3);
    }

    [Test]
    public async Task The_same_friend_joining_sixteen_times_at_once_becomes_one_member()
    {
        var teamId = (await _nodes[0].Service.OpenAsync("five-split-500", new CustomerIds("ann", null), CancellationToken.None)).Team!.Id;
        await _nodes[0].Service.JoinAsync(teamId, new CustomerIds("bob", null), createUnknown: true, CancellationToken.None);

        var results = await RaceAsync(_nodes, (node, _) => node.Service.JoinAsync(teamId, new CustomerIds("bob", null), createUnknown: true, CancellationToken.None));

        results.Should().OnlyContain(r => r.Refusal == TeamRefusal.AlreadyMember);
        var fresh = await RaceAsync(_nodes, (node, _) => node.Service.JoinAsync(teamId, new CustomerIds("cat", null), createUnknown: true, CancellationToken.None));
        fresh.Count(r => r.Team is not null).Should().Be(1);
        fresh.Where(r => r.Team is null).Should().OnlyContain(r => r.Refusal == TeamRefusal.AlreadyMember);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<int>("SELECT members FROM teams WHERE id = @teamId", new { teamId })).Should().Be(3);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM team_members WHERE team_id = @teamId", new { teamId })).Should().Be(3);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM customers WHERE external_id = 'cat'")).Should().Be(1);
    }

    [Test]
    public async Task Expired_teams_settled_by_sixteen_jobs_on_two_nodes_at_once_give_each_consolation_once()
    {
        for (var i = 0; i < 5; i++)
        {
            var teamId = (await _nodes[0].Service.OpenAsync("five-split-500", new CustomerIds($"initiator-{i}", null), CancellationToken.None)).Team!.Id;
            await _nodes[1].Service.JoinAsync(teamId, new CustomerIds($"friend-{i}", null), createUnknown: true, CancellationToken.None);
        }
        _clock.Advance(TimeSpan.FromHours(48));

        var settled = await RaceAsync(_nodes, (node, _) => node.Expirer.SettleExpiredAsync(CancellationToken.None));

        settled.Sum().Should().Be(5);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM coupon_codes WHERE campaign = 'team-consolation'")).Should().Be(10);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Team Expired'")).Should().Be(10);
        (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM teams WHERE status = 'expired'")).Should().Be(5);
    }
}
