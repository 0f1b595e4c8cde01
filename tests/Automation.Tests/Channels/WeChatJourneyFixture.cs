using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Channels;

/// <summary>
/// A server configured for the <c>wechat</c> channel against a loopback Official Account server, with one journey
/// whose step sends <see cref="Template"/> when an <c>Order Shipped</c> arrives; the WeChat channel fixtures share it.
/// </summary>
public abstract class WeChatJourneyFixture(string provider)
{
    private TestDatabase _db = null!;

    protected FakeTimeProvider Clock { get; private set; } = null!;
    protected FakeWeChat WeChatServer { get; private set; } = null!;
    protected AutomationFactory Factory { get; private set; } = null!;
    protected HttpClient Client { get; private set; } = null!;

    /// <summary>The journey's name, also its template folder.</summary>
    protected abstract string Journey { get; }

    /// <summary>The text of the step's <c>notice.wechat.liquid</c>.</summary>
    protected abstract string Template { get; }

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 8, 0, 0, TimeSpan.Zero));
        WeChatServer = await FakeWeChat.StartAsync();
        Factory = new AutomationFactory(_db, Clock, settings: new Dictionary<string, string>
        {
            ["Channels:WeChat:AppId"] = FakeWeChat.AppId, ["Channels:WeChat:AppSecret"] = FakeWeChat.AppSecret, ["Channels:WeChat:BaseUrl"] = WeChatServer.Url,
            ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
        });
        WriteJourney(Factory.ContentRoot);
        Client = Factory.CreateAuthorizedClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await WeChatServer.DisposeAsync();
        await _db.DisposeAsync();
    }

    protected string TemplateFile(string root) => Path.Combine(root, "templates", Journey, "notice.wechat.liquid");

    private void WriteJourney(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "rules"));
        File.WriteAllText(Path.Combine(root, "rules", $"{Journey}.json"), $$"""
            {
              "WorkflowName": "{{Journey}}",
              "Trigger": { "Event": "Order Shipped" },
              "ReEntry": "Never",
              "Rules": [
                { "RuleName": "notice", "Expression": "journey.HoursSinceEntry >= 0",
                  "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "wechat", "Template": "{{Journey}}/notice" } } } }
              ]
            }
            """);
        Directory.CreateDirectory(Path.Combine(root, "templates", Journey));
        File.WriteAllText(TemplateFile(root), Template);
    }

    /// <summary>Identifies the customer with <paramref name="traits"/>, ships their order, runs the journey and sends.</summary>
    protected async Task ShipAsync(string userId, object traits, object properties)
    {
        (await Client.PostAsJsonAsync("/v1/identify", new { userId, traits })).EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync("/v1/track", new { userId, @event = "Order Shipped", properties })).EnsureSuccessStatusCode();
        await Factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        await DispatchAsync();
    }

    protected async Task DispatchAsync()
    {
        while (await Factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }
    }

    protected async Task<JsonObject> MessageAsync(string status) =>
        JsonNode.Parse(await Client.GetStringAsync($"/v1/messages?status={status}"))!.AsArray().Single(m => m!["channel"]!.GetValue<string>() == "wechat")!.AsObject();
}
