using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Automation.Core.Broadcasts;
using Automation.Core.Messaging;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>
/// The console's Segments and Broadcasts pages rendered by the real server on both databases: a segment's count and
/// members, a broadcast scheduled through the form (and refused with the API's field errors), walked by the sender the
/// job runs and dispatched, its results page, and a cancel from the list that only a scheduled broadcast accepts.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed partial class BroadcastPagesTests(string provider)
{
    private const string Password = "correct-horse-battery";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _console = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Console:Users:0:Name"] = "ann",
            ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
        });
        Write("rules/segments/big.json", """{ "Description": "Spent 500", "Expression": "stats.TotalSpent >= 500" }""");
        Write("rules/segments/nobody.json", """{ "Description": "Nobody", "Expression": "stats.TotalSpent >= 1000000" }""");
        Write("templates/broadcasts/news.email.liquid", "---\nsubject: News for {{ customer.first_name }}\n---\n<p>Hi {{ customer.first_name }}, new in.</p>\n");
        using (var api = _factory.CreateAuthorizedClient())
        {
            foreach (var (customer, total) in new[] { ("ann", 200), ("bob", 1000), ("dan", 700) })
            {
                (await api.PostAsJsonAsync("/v1/identify", new { userId = customer, traits = new { email = $"{customer}@example.com", first_name = customer } })).EnsureSuccessStatusCode();
                (await api.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-1", total } }))
                    .EnsureSuccessStatusCode();
            }
        }
        _console = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await _console.GetStringAsync("/console/login");
        (await _console.PostAsync("/console/login", Form(login, ("name", "ann"), ("password", Password)))).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [TearDown]
    public async Task TearDown()
    {
        _console.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task The_segments_page_counts_each_segment_and_lists_its_members()
    {
        var page = await _console.GetStringAsync("/console/segments");

        page.Should().Contain("<a href=\"/console/segments\" aria-current=\"page\">Segments</a>");
        Card(page, "big").Should().Contain("<dd class=\"count\">2</dd>").And.Contain("stats.TotalSpent &gt;= 500")
            .And.Contain("<a href=\"/console/customers?q=bob\">bob</a>").And.Contain("<a href=\"/console/customers?q=dan\">dan</a>").And.NotContain("q=ann");
        Card(page, "nobody").Should().Contain("<dd class=\"count\">0</dd>").And.Contain("No customer is in this segment now.");
    }

    [Test]
    public async Task A_broadcast_scheduled_through_the_form_is_sent_and_its_page_shows_the_results()
    {
        var form = await _console.GetStringAsync("/console/broadcasts/new");
        form.Should().Contain("<option value=\"big\">big (2 now)</option>").And.Contain("<option value=\"broadcasts/news\">broadcasts/news (email)</option>");

        var preview = await _console.PostAsync("/console/broadcasts/new?handler=Preview", Form(form, ("Form.Segment", "big"), ("Form.Channel", "email"), ("Form.Template", "broadcasts/news")));
        preview.StatusCode.Should().Be(HttpStatusCode.OK);
        (await preview.Content.ReadAsStringAsync()).Should().Contain("Audience now: 2 customer(s).")
            .And.Contain("Rendered for <a href=\"/console/customers?q=bob\">bob</a>").And.Contain("<span class=\"subject\">News for").And.Contain("new in.");

        var refused = await _console.PostAsync("/console/broadcasts/new?handler=Create", Form(form, ("Form.Segment", "gone"), ("Form.Channel", "email"),
            ("Form.Template", "broadcasts/news"), ("Form.HoldoutPercent", "60")));
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = await refused.Content.ReadAsStringAsync();
        FieldErrors(errors, "name").Should().Contain("is required");
        FieldErrors(errors, "segment").Should().Contain("&#x27;gone&#x27; is not a segment");
        FieldErrors(errors, "holdoutPercent").Should().Contain("must be from 0 to 50");
        (await _factory.Services.GetRequiredService<Automation.Core.Storage.IBroadcastStore>().BroadcastsAsync(CancellationToken.None)).Should().BeEmpty();

        var created = await _console.PostAsync("/console/broadcasts/new?handler=Create", Form(form, ("Form.Name", "News"), ("Form.Segment", "big"),
            ("Form.Channel", "email"), ("Form.Template", "broadcasts/news")));
        created.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var path = created.Headers.Location!.ToString();
        path.Should().MatchRegex(@"^/console/broadcasts/\d+$");

        (await _console.GetStringAsync(path)).Should().NotContain("http-equiv=\"refresh\"", "nothing is sending yet");
        await _factory.Services.GetRequiredService<BroadcastSender>().SendDueAsync(CancellationToken.None);
        (await _console.GetStringAsync(path)).Should().Contain("<meta http-equiv=\"refresh\" content=\"5\">", "its messages wait in the outbox: the page follows them");
        while (await _factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }

        var page = await _console.GetStringAsync(path);
        page.Should().NotContain("http-equiv=\"refresh\"", "everything is sent");
        page.Should().Contain("id=\"status\">done</span>").And.Contain("2 walked, 2 enqueued")
            .And.MatchRegex(@"<dt>Sent</dt><dd>2</dd>").And.Contain("<figure class=\"chart\" id=\"broadcast-outcomes\">")
            .And.Contain("<th scope=\"row\">Sent</th><td>2</td>").And.NotContain("id=\"conversions\"", "nothing can have converted at the moment it was sent");

        // A member orders half an hour later (within the console session): the conversions of the sent arm appear, with their chart.
        _clock.Advance(TimeSpan.FromMinutes(30));
        using (var api = _factory.CreateAuthorizedClient())
            (await api.PostAsJsonAsync("/v1/track", new { userId = "bob", @event = "Order Completed", properties = new { order_id = "bob-2", total = 80 } })).EnsureSuccessStatusCode();
        page = await _console.GetStringAsync(path);
        page.Should().Contain("id=\"conversions\"").And.MatchRegex(@"<td>sent</td>\s*<td class=""num"">2</td>\s*<td class=""num"">1</td>\s*<td class=""num"">50.0 %</td>")
            .And.Contain("<figure class=\"chart\" id=\"broadcast-conversions\">");
        var list = await _console.GetStringAsync("/console/broadcasts");
        list.Should().Contain(">News</a>").And.Contain("status-done").And.NotContain("button type=\"submit\" class=\"cancel\"");

        // Started: a cancel is refused, and says why.
        var id = path[(path.LastIndexOf('/') + 1)..];
        var cancel = await _console.PostAsync($"/console/broadcasts?handler=Cancel&id={id}", Form(list));
        cancel.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await cancel.Content.ReadAsStringAsync()).Should().Contain($"Broadcast {id} is done: only a scheduled broadcast can be cancelled.");
    }

    [Test]
    public async Task A_scheduled_broadcast_is_cancelled_from_the_list_and_never_sent()
    {
        var form = await _console.GetStringAsync("/console/broadcasts/new");
        var created = await _console.PostAsync("/console/broadcasts/new?handler=Create", Form(form, ("Form.Name", "Later"), ("Form.Segment", "big"),
            ("Form.Channel", "email"), ("Form.Template", "broadcasts/news"), ("Form.SendAt", "2026-03-02T09:00:00+08:00"), ("Form.HoldoutPercent", "10")));
        created.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var id = created.Headers.Location!.ToString().Split('/')[^1];

        var list = await _console.GetStringAsync("/console/broadcasts");
        list.Should().Contain("status-scheduled").And.Contain("2026-03-02 01:00 UTC").And.Contain($"action=\"/console/broadcasts?id={id}&amp;handler=Cancel\"");
        var cancel = await _console.PostAsync($"/console/broadcasts?handler=Cancel&id={id}", Form(list));
        cancel.StatusCode.Should().Be(HttpStatusCode.OK);
        (await cancel.Content.ReadAsStringAsync()).Should().Contain($"Broadcast {id} is cancelled").And.Contain("status-cancelled");

        (await _factory.Services.GetRequiredService<BroadcastSender>().SendDueAsync(CancellationToken.None)).Should().Be(0);
        var store = _factory.Services.GetRequiredService<Automation.Core.Storage.IBroadcastStore>();
        (await store.BroadcastAsync(long.Parse(id, CultureInfo.InvariantCulture), CancellationToken.None))!.Status.Should().Be(BroadcastStatus.Cancelled);
    }

    private void Write(string path, string text)
    {
        var file = Path.Combine(_factory.ContentRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private static string Card(string page, string segment)
    {
        var start = page.IndexOf($"id=\"segment-{segment}\"", StringComparison.Ordinal);
        start.Should().BePositive($"the page shows segment {segment}");
        return page[start..page.IndexOf("</article>", start, StringComparison.Ordinal)];
    }

    private static string FieldErrors(string page, string field) =>
        Regex.Match(page, $"<div id=\"{field}-errors\">(.*?)</div>", RegexOptions.Singleline).Groups[1].Value;

    /// <summary>A form post with the antiforgery token of <paramref name="page"/>.</summary>
    private static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields) =>
        new([.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value)), KeyValuePair.Create("__RequestVerificationToken", Token().Match(page).Groups[1].Value)]);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
