using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>Team-split coupons through the HTTP API and the share page, with the shipped campaigns and journeys.</summary>
public sealed class TeamsApiTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-01T09:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        _clock = new FakeTimeProvider(Start);
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string> { ["Messaging:PublicUrl"] = "https://shop.example/automation" })
            .WithShippedJourneys();
        _client = _factory.CreateAuthorizedClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> Post(string path, object body)
    {
        var response = await _client.PostAsJsonAsync(path, body);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private async Task<IReadOnlyList<string>> Templates(string customer) =>
        [.. JsonNode.Parse(await _client.GetStringAsync($"/v1/customers/{customer}"))!["messages"]!.AsArray().Select(m => m!["template"]!.GetValue<string>())];

    [Test]
    public async Task A_team_opened_by_the_shop_fills_with_friends_the_journeys_nudge_and_congratulate_and_latecomers_hear_why_not()
    {
        var (status, team) = await Post("/v1/teams/three-split-150", new { userId = "ann" });
        status.Should().Be(HttpStatusCode.Created);
        var id = team["id"]!.GetValue<long>();
        team["link"]!.GetValue<string>().Should().StartWith($"https://shop.example/automation/t/{id}.");
        (team["placesLeft"]!.GetValue<int>(), team["pool"]!.GetValue<decimal>(), team["currency"]!.GetValue<string>()).Should().Be((2, 150m, "CNY"));
        (await Post("/v1/teams/three-split-150", new { userId = "ann" })).Should().Match<(HttpStatusCode Status, JsonNode Body)>(r => r.Status == HttpStatusCode.OK && r.Body["id"]!.GetValue<long>() == id);

        (await Post($"/v1/teams/{id}/members", new { userId = "bob" })).Status.Should().Be(HttpStatusCode.OK);
        (await Templates("ann")).Should().Contain("team-needs-one-more/nudge");
        (await Templates("bob")).Should().Contain("team-needs-one-more/nudge");

        var own = await Post($"/v1/teams/{id}/members", new { userId = "ann" });
        (own.Status, own.Body["refusal"]!.GetValue<string>()).Should().Be((HttpStatusCode.Conflict, "own_team"));

        var (_, complete) = await Post($"/v1/teams/{id}/members", new { userId = "cat" });
        complete["status"]!.GetValue<string>().Should().Be("completed");
        foreach (var member in new[] { "ann", "bob", "cat" }) (await Templates(member)).Should().Contain("team-complete/share");

        var full = await Post($"/v1/teams/{id}/members", new { userId = "dan" });
        (full.Status, full.Body["title"]!.GetValue<string>(), full.Body["refusal"]!.GetValue<string>()).Should().Be((HttpStatusCode.Conflict, "Team full", "team_full"));
        var shown = JsonNode.Parse(await _client.GetStringAsync($"/v1/teams/{id}"))!;
        shown["members"]!.AsArray().Select(m => (m!["userId"]!.GetValue<string>(), m["share"]!.GetValue<decimal>())).Should().Equal(("ann", 50m), ("bob", 50m), ("cat", 50m));
    }

    [Test]
    public async Task Bad_requests_name_what_is_wrong()
    {
        var missing = await Post("/v1/teams/three-split-150", new { });
        (missing.Status, missing.Body["errors"]![0]!["field"]!.GetValue<string>()).Should().Be((HttpStatusCode.BadRequest, "userId"));
        var unknown = await Post("/v1/teams/ten-split-1000", new { userId = "ann" });
        (unknown.Status, unknown.Body["refusal"]!.GetValue<string>()).Should().Be((HttpStatusCode.NotFound, "unknown_campaign"));
        (await Post("/v1/teams/999/members", new { userId = "ann" })).Status.Should().Be(HttpStatusCode.NotFound);
        (await _client.GetAsync("/v1/teams/999")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _factory.CreateClient().PostAsJsonAsync("/v1/teams/three-split-150", new { userId = "ann" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task The_share_page_shows_the_team_joins_known_customers_and_tells_of_expiry()
    {
        var (_, team) = await Post("/v1/teams/five-split-500", new { userId = "ann" });
        var token = team["token"]!.GetValue<string>();
        var page = _factory.CreateClient();

        var landing = await page.GetAsync($"/t/{token}?userId=eve");
        landing.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await landing.Content.ReadAsStringAsync();
        html.Should().Contain("1 of 5 joined to split 500 CNY").And.Contain("4 place(s) left · 48 h 0 min to go").And.Contain("value=\"eve\"");
        (await page.GetAsync($"/t/{token}x")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var stranger = await page.PostAsJsonAsync($"/t/{token}/join", new { userId = "eve" });
        stranger.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "eve", traits = new { name = "Eve Example" } })).EnsureSuccessStatusCode();
        var joined = await page.PostAsJsonAsync($"/t/{token}/join", new { userId = "eve" });
        joined.StatusCode.Should().Be(HttpStatusCode.OK);
        (await page.GetStringAsync($"/t/{token}")).Should().Contain("<li>Eve</li>").And.Contain("2 of 5 joined");

        _clock.Advance(TimeSpan.FromHours(48));
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "fay" })).EnsureSuccessStatusCode();
        var late = await page.PostAsJsonAsync($"/t/{token}/join", new { userId = "fay" });
        late.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await page.GetStringAsync($"/t/{token}")).Should().Contain("ran out of time");
    }
}
