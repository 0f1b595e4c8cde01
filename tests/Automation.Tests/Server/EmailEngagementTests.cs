using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// Email engagement end to end on both databases: an email sent through a real SMTP server on loopback carries the
/// pixel and rewritten links; requesting them records events and rates, machines apart, forgeries refused.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed partial class EmailEngagementTests(string provider)
{
    private const string Journey = "engagement-drill";
    private const string Shop = "https://shop.example/sale?from=mail&id=7";
    private const string Browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)";

    [Test]
    public async Task Opens_and_clicks_of_a_received_email_become_events_and_rates_without_machines_or_forgeries()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture));
        await using var factory = new AutomationFactory(db, clock, settings: new Dictionary<string, string>
        {
            ["Channels:Email:Host"] = "127.0.0.1", ["Channels:Email:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Channels:Email:Security"] = "None", ["Channels:Email:From"] = "shop@example.com",
            ["Channels:Email:Tracking:Opens"] = "true", ["Channels:Email:Tracking:Clicks"] = "true",
            ["Messaging:PublicUrl"] = "https://mail.shop.example",
            ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
        });
        WriteJourney(factory.ContentRoot);
        using var client = factory.CreateAuthorizedClient();
        using var reader = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        reader.DefaultRequestHeaders.UserAgent.ParseAdd(Browser);

        (await client.PostAsJsonAsync("/v1/identify", new { userId = "ann", traits = new { email = "ann@example.com", firstName = "Ann" } })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Sale Started", properties = new { } })).EnsureSuccessStatusCode();
        await factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        await factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);

        var html = smtp.Received().Should().ContainSingle().Subject.HtmlBody ?? "";
        var pixel = new Uri(PixelSource().Match(html).Groups[1].Value);
        var links = Links().Matches(html).Select(m => new Uri(WebUtility.HtmlDecode(m.Groups[1].Value))).ToList();
        pixel.GetLeftPart(UriPartial.Authority).Should().Be("https://mail.shop.example");
        pixel.AbsolutePath.Should().StartWith("/t/o/").And.EndWith(".gif");
        var link = links.Should().ContainSingle(l => l.AbsolutePath.StartsWith("/t/c/", StringComparison.Ordinal)).Subject;
        links.Should().Contain(l => l.AbsolutePath.StartsWith("/u/", StringComparison.Ordinal), "the unsubscribe link is left as it is");
        html.Should().NotContain("shop.example/sale", "the original address is only inside the signed token");

        // At delivery, a prefetching proxy loads the pixel: stored, flagged, not an open.
        (await reader.GetAsync(pixel.PathAndQuery)).Content.Headers.ContentType!.MediaType.Should().Be("image/gif");
        // A gateway's link scanner checks the link at once, with HEAD.
        (await reader.SendAsync(new HttpRequestMessage(HttpMethod.Head, link.PathAndQuery))).StatusCode.Should().Be(HttpStatusCode.Redirect);

        clock.Advance(TimeSpan.FromMinutes(20));
        (await reader.GetAsync(pixel.PathAndQuery)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await reader.GetAsync(pixel.PathAndQuery)).StatusCode.Should().Be(HttpStatusCode.OK, "a second open is stored, not counted twice");
        var click = await reader.GetAsync(link.PathAndQuery);
        click.StatusCode.Should().Be(HttpStatusCode.Redirect);
        click.Headers.Location.Should().Be(new Uri(Shop));

        // Forged and altered tokens lead nowhere and record nothing.
        var token = link.AbsolutePath["/t/c/".Length..];
        var forgedUrl = Convert.ToBase64String("c\n1\nhttps://evil.example/"u8.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        foreach (var forged in new[] { $"/t/c/{forgedUrl}{token[token.IndexOf('.', StringComparison.Ordinal)..]}", $"/t/c/{token[..^2]}AA", "/t/c/nonsense", $"/t/o/{token}.gif", "/t/o/x.y.gif" })
            (await reader.GetAsync(forged)).StatusCode.Should().Be(HttpStatusCode.NotFound, forged);

        var rates = JsonNode.Parse(await client.GetStringAsync($"/v1/metrics/engagement?from=2026-06-01&to=2026-06-02&journey={Journey}"))!["journeys"]!.AsArray();
        var row = rates.Should().ContainSingle().Subject!;
        row.ToJsonString().Should().Be(new JsonObject
        {
            ["journey"] = Journey,
            ["email"] = new JsonObject
            {
                ["sent"] = 1, ["openTracking"] = "on", ["trackedForOpens"] = 1, ["uniqueOpens"] = 1, ["openRate"] = 1.0,
                ["clickTracking"] = "on", ["trackedForClicks"] = 1, ["uniqueClicks"] = 1, ["clickRate"] = 1.0, ["clickToOpenRate"] = 1.0,
            },
            ["opens"] = 2, ["clicks"] = 1, ["machineOpens"] = 1,
        }.ToJsonString());

        await using var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None);
        var events = (await connection.QueryAsync<string>("SELECT name FROM events WHERE name LIKE 'Email %' ORDER BY id")).ToList();
        events.Should().Equal("Email Opened", "Email Link Clicked", "Email Opened", "Email Opened", "Email Link Clicked");
        var customer = JsonNode.Parse(await client.GetStringAsync("/v1/customers/ann"))!;
        customer["traits"]!["last_email_opened_at"]!.GetValue<string>().Should().Be("2026-06-01T12:20:00.0000000+00:00", "rules read it as customer.DaysSinceLastEmailOpen");
    }

    [Test]
    public void A_win_back_condition_on_opens_reads_the_trait_the_pixel_keeps()
    {
        var now = DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture);
        var traits = new JsonObject { [Automation.Core.CustomerFactsTraits.LastEmailOpenedAt] = now.AddDays(-45).ToString("O", CultureInfo.InvariantCulture) };
        Automation.Core.CustomerFactsTraits.DaysSince(traits, Automation.Core.CustomerFactsTraits.LastEmailOpenedAt, now).Should().Be(45);
        Automation.Core.CustomerFactsTraits.DaysSince([], Automation.Core.CustomerFactsTraits.LastEmailOpenedAt, now).Should().Be(-1);
    }

    private static void WriteJourney(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "rules"));
        File.WriteAllText(Path.Combine(root, "rules", $"{Journey}.json"), $$"""
            {
              "WorkflowName": "{{Journey}}",
              "Trigger": { "Event": "Sale Started" },
              "ReEntry": "Never",
              "Rules": [
                { "RuleName": "notice", "Expression": "journey.HoursSinceEntry >= 0",
                  "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "{{Journey}}/notice" } } } }
              ]
            }
            """);
        Directory.CreateDirectory(Path.Combine(root, "templates", Journey));
        File.WriteAllText(Path.Combine(root, "templates", Journey, "notice.email.liquid"), """
            ---
            subject: The sale is on, {{ customer.first_name }}
            ---
            <html><body><p>Hi {{ customer.first_name }}, <a href="https://shop.example/sale?from=mail&amp;id=7">see the sale</a>.</p>
            <p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>
            """);
    }

    [GeneratedRegex("<img src=\"([^\"]+)\"")]
    private static partial Regex PixelSource();

    [GeneratedRegex("<a href=\"([^\"]+)\"")]
    private static partial Regex Links();
}
