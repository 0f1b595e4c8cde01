using System.Globalization;
using Automation.Core.Ingestion;
using Automation.Core.Referrals;
using Automation.Core.Storage;
using Automation.Core.Teams;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Storage;

/// <summary>Opening, joining and settling teams, with their events, shares, coupons and referrals: in memory, on SQLite and on PostgreSQL.</summary>
[TestFixture(EngineHarness.Memory)]
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class TeamTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 18, 10, 0, 0, TimeSpan.Zero);

    private TestDatabase? _db;
    private IIngestionStore _store = null!;
    private FakeTimeProvider _clock = null!;
    private TeamSetup _teams = null!;

    [SetUp]
    public async Task SetUp()
    {
        _clock = new FakeTimeProvider(Start);
        if (provider == EngineHarness.Memory) _store = new InMemoryStorage();
        else _store = (_db = await TestDatabase.CreateAsync(provider)).Storage;
        _teams = new TeamSetup(_store, _clock);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_db is not null) await _db.DisposeAsync();
    }

    private Task<TeamResult> Open(string user, string campaign = "three-split-150") => _teams.Service.OpenAsync(campaign, new CustomerIds(user, null), CancellationToken.None);

    private Task<TeamResult> Join(long teamId, string user) => _teams.Service.JoinAsync(teamId, new CustomerIds(user, null), createUnknown: true, CancellationToken.None);

    private static string Property(TeamResult result, string eventName, string property, int index = 0) =>
        result.Events.Where(e => e.Message.EventName == eventName).ElementAt(index).Message.Properties[property]!.ToString();

    [Test]
    public async Task Three_friends_split_150_when_the_last_one_joins_each_getting_a_coupon_worth_50()
    {
        var opened = await Open("ann");
        opened.Team!.Members.Should().Be(1);
        opened.Events.Select(e => e.Message.EventName).Should().Equal(TeamEngine.TeamOpened);
        Property(opened, TeamEngine.TeamOpened, "link").Should().Be(_teams.Links.UrlFor(opened.Team.Id));
        var teamId = opened.Team.Id;

        var second = await Join(teamId, "bob");
        second.Team!.Members.Should().Be(2);
        second.Events.Select(e => e.Message.EventName).Should().Equal(TeamEngine.TeamJoined, TeamEngine.TeamJoined, ReferralAttribution.Referred);
        Property(second, TeamEngine.TeamJoined, "places_left", 1).Should().Be("1");
        Property(second, TeamEngine.TeamJoined, "role", 1).Should().Be("initiator");
        Property(second, ReferralAttribution.Referred, "referrer").Should().Be("ann");

        var last = await Join(teamId, "cat");
        last.Team!.Status.Should().Be(TeamStatus.Completed);
        var completed = last.Events.Where(e => e.Message.EventName == TeamEngine.TeamCompleted).ToList();
        completed.Should().HaveCount(3);
        completed.Select(e => e.Message.Properties["share"]!.GetValue<decimal>()).Should().Equal(50m, 50m, 50m);
        completed.Select(e => e.Message.Properties["coupon_code"]!.GetValue<string>()).Should().OnlyHaveUniqueItems().And.OnlyContain(c => c.StartsWith("TEAM-", StringComparison.Ordinal));

        var view = (await ((ITeamQueries)_store).FindTeamAsync(teamId, CancellationToken.None))!;
        view.Members.Select(m => (m.UserId, m.Share)).Should().Equal(("ann", 50m), ("bob", 50m), ("cat", 50m));
        if (_db is not null)
        {
            await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
            (await connection.QuerySingleAsync<decimal>("SELECT SUM(amount) FROM coupon_codes WHERE campaign = 'team-share'")).Should().Be(150m);
            (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE name IN ('Team Opened', 'Team Joined', 'Team Completed', 'Referred')")).Should().Be(1 + 4 + 3 + 2);
        }
    }

    [Test]
    public async Task A_full_team_gives_codes_only_to_the_members_its_campaigns_eligibility_admits()
    {
        var coupons = Directory.CreateTempSubdirectory("automation-coupons-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(ServerProcess.RepositoryRoot(), "rules", "coupons")))
                File.Copy(file, Path.Combine(coupons.FullName, Path.GetFileName(file)));
            var share = Path.Combine(coupons.FullName, "team-share.json");
            await File.WriteAllTextAsync(share, (await File.ReadAllTextAsync(share)).Replace("\"Codes\"", "\"Eligible\": \"customer.Trait(\\\"vip\\\") == \\\"yes\\\"\", \"Codes\""));
            _teams.Coupons.ReloadFolder(coupons.FullName).Should().BeEmpty();
        }
        finally
        {
            coupons.Delete(recursive: true);
        }
        await TestIngestion.Service(_store, _teams.Journeys, _clock).IngestAsync(Segment.Read(_clock, Segment.Identify("ann", new { vip = "yes" }), Segment.Identify("cat", new { vip = "yes" })), CancellationToken.None);

        var teamId = (await Open("ann")).Team!.Id;
        await Join(teamId, "bob");
        var completed = (await Join(teamId, "cat")).Events.Where(e => e.Message.EventName == TeamEngine.TeamCompleted).Select(e => e.Message.Properties).ToList();

        completed.Select(p => p["coupon_code"]?.GetValue<string>() is { } code && code.StartsWith("TEAM-", StringComparison.Ordinal)).Should().Equal(true, false, true);
        completed.Select(p => p["coupon_refusal"]?.GetValue<string>()).Should().Equal(null, Automation.Core.Coupons.CouponEligibility.NotEligible, null);
    }

    [Test]
    public async Task Joining_ones_own_team_twice_a_full_an_expired_or_an_unknown_team_is_refused_and_changes_nothing()
    {
        var teamId = (await Open("ann")).Team!.Id;
        (await Join(teamId, "ann")).Refusal.Should().Be(TeamRefusal.OwnTeam);
        (await Join(teamId, "bob")).Team.Should().NotBeNull();
        var again = await Join(teamId, "bob");
        again.Refusal.Should().Be(TeamRefusal.AlreadyMember);
        again.Reason.Should().Contain("member of team");
        (await Join(teamId, "cat")).Team!.Status.Should().Be(TeamStatus.Completed);
        var full = await Join(teamId, "dan");
        (full.Refusal, full.Reason).Should().Be((TeamRefusal.Full, $"Team {teamId} is full: all 3 places are taken."));
        (await Join(teamId + 100, "dan")).Refusal.Should().Be(TeamRefusal.TeamNotFound);
        (await Open("ann", "no-such-campaign")).Refusal.Should().Be(TeamRefusal.UnknownCampaign);

        var other = (await Open("eve")).Team!.Id;
        _clock.Advance(TimeSpan.FromHours(24));
        var late = await Join(other, "fay");
        (late.Refusal, late.Reason).Should().Be((TeamRefusal.Expired, $"Team {other} expired at {Start.AddHours(24):u} before it filled."));
        var view = (await ((ITeamQueries)_store).FindTeamAsync(other, CancellationToken.None))!;
        (view.Team.Members, view.Members.Count).Should().Be((1, 1));
        (await _teams.Service.JoinAsync(other, new CustomerIds("nobody", null), createUnknown: false, CancellationToken.None)).Refusal.Should().Be(TeamRefusal.CustomerNotFound);
    }

    [Test]
    public async Task Opening_again_returns_the_open_team_and_once_it_expired_settles_it_and_opens_a_new_one()
    {
        var first = await Open("ann", "five-split-500");
        var again = await Open("ann", "five-split-500");
        again.Team!.Id.Should().Be(first.Team!.Id);
        again.Events.Should().BeEmpty();

        await Join(first.Team.Id, "bob");
        _clock.Advance(TimeSpan.FromHours(48));
        var fresh = await Open("ann", "five-split-500");
        fresh.Team!.Id.Should().NotBe(first.Team.Id);
        fresh.Events.Select(e => e.Message.EventName).Should().Equal(TeamEngine.TeamExpired, TeamEngine.TeamExpired, TeamEngine.TeamOpened);
        Property(fresh, TeamEngine.TeamExpired, "coupon_code").Should().StartWith("TRY-");
        (await ((ITeamQueries)_store).FindTeamAsync(first.Team.Id, CancellationToken.None))!.Team.Status.Should().Be(TeamStatus.Expired);
    }

    [Test]
    public async Task Teams_that_expire_unfilled_are_settled_once_with_their_campaigns_consolation()
    {
        var five = (await Open("ann", "five-split-500")).Team!.Id;
        await Join(five, "bob");
        var three = (await Open("cat")).Team!.Id;
        _clock.Advance(TimeSpan.FromHours(24));
        (await _teams.Expirer.SettleExpiredAsync(CancellationToken.None)).Should().Be(1);
        _clock.Advance(TimeSpan.FromHours(24));
        (await _teams.Expirer.SettleExpiredAsync(CancellationToken.None)).Should().Be(1);
        (await _teams.Expirer.SettleExpiredAsync(CancellationToken.None)).Should().Be(0);

        (await ((ITeamQueries)_store).FindTeamAsync(three, CancellationToken.None))!.Team.Status.Should().Be(TeamStatus.Expired);
        (await ((ITeamQueries)_store).FindTeamAsync(five, CancellationToken.None))!.Team.Status.Should().Be(TeamStatus.Expired);
        if (_db is not null)
        {
            await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
            (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM coupon_codes WHERE campaign = 'team-consolation'")).Should().Be(2);
            (await connection.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Team Expired'")).Should().Be(3);
        }
    }

    [Test]
    public async Task Only_a_customer_who_never_ordered_is_attributed_and_the_first_attribution_wins()
    {
        var ingestion = TestIngestion.Service(_store, _teams.Journeys, _clock);
        await ingestion.IngestAsync(Segment.Read(_clock, Segment.Track("old", "Order Completed", new { order_id = "o1", total = 10 })), CancellationToken.None);
        var ann = (await Open("ann")).Team!.Id;
        (await Join(ann, "old")).Events.Select(e => e.Message.EventName).Should().NotContain(ReferralAttribution.Referred);
        (await Join(ann, "new")).Events.Select(e => e.Message.EventName).Should().Contain(ReferralAttribution.Referred);
        var bea = (await Open("bea")).Team!.Id;
        (await Join(bea, "new")).Events.Select(e => e.Message.EventName).Should().NotContain(ReferralAttribution.Referred);
    }
}
