using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The audit log through the API on both databases: changes made with an API key are recorded under the key's name (or
/// its place in Api:Keys), a refused request records nothing, and <c>GET /v1/audit</c> filters and pages.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class AuditApiTests(string provider)
{
    private const string NamedKey = "named-admin-key-0123456789";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-09-01T08:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _unnamed = null!;
    private HttpClient _named = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Api:Keys:1:Key"] = NamedKey, ["Api:Keys:1:Name"] = "shop backend", ["Api:Keys:1:Scopes:0"] = "admin",
        });
        Write("rules/segments/everyone.json", """{ "Expression": "stats.OrderCount >= 0" }""");
        Write("templates/news.email.liquid", "---\nsubject: News\n---\n<p>News</p>\n");
        _unnamed = _factory.CreateAuthorizedClient();
        _named = _factory.CreateClient();
        _named.DefaultRequestHeaders.Authorization = new("Bearer", NamedKey);
    }

    [TearDown]
    public async Task TearDown()
    {
        _unnamed.Dispose();
        _named.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonArray> EntriesAsync(string query = "")
    {
        var page = await _unnamed.GetFromJsonAsync<JsonObject>($"/v1/audit{query}");
        return page!["entries"]!.AsArray();
    }

    [Test]
    public async Task A_suppression_added_and_lifted_through_the_api_is_recorded_under_the_keys_name_and_a_refused_one_not_at_all()
    {
        (await _named.PostAsJsonAsync("/v1/suppressions", new { channel = "email", address = " ann@example.com ", reason = "asked by phone" })).EnsureSuccessStatusCode();
        (await _named.PostAsJsonAsync("/v1/suppressions", new { channel = "email", address = "ann@example.com" })).EnsureSuccessStatusCode();
        (await _named.PostAsJsonAsync("/v1/suppressions", new { channel = "email" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        _clock.Advance(TimeSpan.FromMinutes(5));
        (await _unnamed.DeleteAsync("/v1/suppressions/email/ann@example.com")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _unnamed.DeleteAsync("/v1/suppressions/email/ann@example.com")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var entries = await EntriesAsync();
        entries.Should().HaveCount(2, "one add changed something, one removal did; the repeat, the refusal and the second removal did not");
        var (removal, add) = (entries[0]!, entries[1]!);
        (add["actor"]!.GetValue<string>(), add["actorKind"]!.GetValue<string>(), add["action"]!.GetValue<string>(), add["target"]!.GetValue<string>())
            .Should().Be(("shop backend", "api", "suppression.add", "email:ann@example.com"));
        add["before"].Should().BeNull();
        JsonNode.Parse(add["after"]!.GetValue<string>())!["reason"]!.GetValue<string>().Should().Be("asked by phone");
        (removal["actor"]!.GetValue<string>(), removal["action"]!.GetValue<string>()).Should().Be(("Api:Keys:0", "suppression.remove"));
        DateTimeOffset.Parse(removal["at"]!.GetValue<string>(), CultureInfo.InvariantCulture).Should().Be(Now.AddMinutes(5));
        removal["after"].Should().BeNull();
    }

    [Test]
    public async Task Broadcasts_cancelled_and_started_through_the_api_are_recorded_and_a_refused_cancel_is_not()
    {
        async Task<long> CreateAsync()
        {
            var created = await _named.PostAsJsonAsync("/v1/broadcasts", new { name = "News", segment = "everyone", channel = "email", template = "news", sendAt = Now.AddDays(1) });
            created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        }
        var (first, second) = (await CreateAsync(), await CreateAsync());
        (await _named.PostAsync($"/v1/broadcasts/{first}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _named.PostAsync($"/v1/broadcasts/{first}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await _named.PostAsync($"/v1/broadcasts/{second}/start", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        var entries = await EntriesAsync("?actor=shop%20backend");
        entries.Select(e => $"{e!["action"]} {e["target"]}").Should().Equal(
            $"broadcast.start broadcast:{second}", $"broadcast.cancel broadcast:{first}", $"broadcast.create broadcast:{second}", $"broadcast.create broadcast:{first}");
    }

    [Test]
    public async Task The_audit_read_filters_pages_and_names_a_bad_filter()
    {
        for (var i = 0; i < 5; i++)
        {
            (await (i % 2 == 0 ? _named : _unnamed).PostAsJsonAsync("/v1/suppressions", new { channel = "sms", address = $"+1415555010{i}" })).EnsureSuccessStatusCode();
            _clock.Advance(TimeSpan.FromHours(1));
        }

        (await EntriesAsync("?actor=shop%20backend")).Should().HaveCount(3);
        (await EntriesAsync("?target=sms:%2B14155550103")).Should().ContainSingle().Which!["actor"]!.GetValue<string>().Should().Be("Api:Keys:0");
        (await EntriesAsync("?action=suppression.remove")).Should().BeEmpty();
        (await EntriesAsync("?since=2026-09-01T09:00:00Z&until=2026-09-01T11:00:00Z")).Select(e => e!["target"]!.GetValue<string>())
            .Should().Equal("sms:+14155550102", "sms:+14155550101");

        var seen = new List<string>();
        string? next = null;
        do
        {
            var page = await _unnamed.GetFromJsonAsync<JsonObject>($"/v1/audit?limit=2{(next is null ? "" : $"&cursor={next}")}");
            seen.AddRange(page!["entries"]!.AsArray().Select(e => e!["target"]!.GetValue<string>()));
            next = page["next"]?.ToString();
        }
        while (next is not null);
        seen.Should().Equal("sms:+14155550104", "sms:+14155550103", "sms:+14155550102", "sms:+14155550101", "sms:+14155550100");

        var bad = await _unnamed.GetAsync("/v1/audit?since=yesterday&limit=0");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = (await bad.Content.ReadFromJsonAsync<JsonObject>())!;
        problem["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).Should().Equal("since", "limit");
    }

    private void Write(string path, string text)
    {
        var file = Path.Combine(_factory.ContentRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }
}
