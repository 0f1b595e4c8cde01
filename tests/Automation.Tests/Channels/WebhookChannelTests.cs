using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Channels;

/// <summary>The webhook adapter against a real HTTP receiver on loopback that checks the signature as docs/channels.md says.</summary>
public sealed class WebhookChannelTests
{
    private const string Secret = "whsec-test-secret";
    private WebApplication _receiver = null!;
    private string _url = null!;
    private readonly ConcurrentQueue<JsonObject> _received = new();
    private int _answer = 200;

    [SetUp]
    public async Task StartReceiver()
    {
        _received.Clear();
        _answer = 200;
        _url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_url);
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var timestamp = request.Headers[WebhookChannel.TimestampHeader].ToString();
            if (request.Headers[WebhookChannel.SignatureHeader] != $"sha256={WebhookChannel.Sign(Secret, timestamp, body)}") return Results.StatusCode(401);
            _received.Enqueue(JsonNode.Parse(body)!.AsObject());
            return Results.StatusCode(_answer);
        });
        await _receiver.StartAsync();
    }

    [TearDown]
    public async Task StopReceiver() => await _receiver.DisposeAsync();

    private static OutgoingMessage Message() => new(7, "cart-recovery:1:reminder", "webhook", "ann", "ann@example.com", "Ann",
        new RenderedMessage(null, null, "Your cart is waiting", "reminder.webhook.liquid", "en"), "https://shop.example/u/t", new JsonObject { ["Coupon"] = "CART10" });

    private async Task<SendOutcome> Send(string secret = Secret, string? url = null)
    {
        using var http = new HttpClient();
        var channel = new WebhookChannel(http, Options.Create(new WebhookOptions { Url = url ?? $"{_url}/hook", Secret = secret }), new FakeTimeProvider(TimeProvider.System.GetUtcNow()));
        return await channel.SendAsync(Message(), CancellationToken.None);
    }

    [Test]
    public async Task A_signed_post_is_accepted_and_carries_the_message()
    {
        (await Send()).Should().BeOfType<SendOutcome.Sent>();
        var body = _received.Should().ContainSingle().Subject;
        body["id"]!.GetValue<string>().Should().Be("cart-recovery:1:reminder");
        body["text"]!.GetValue<string>().Should().Be("Your cart is waiting");
        body["context"]!["Coupon"]!.GetValue<string>().Should().Be("CART10");
    }

    [Test]
    public async Task A_wrong_secret_is_refused_by_the_receiver()
    {
        (await Send(secret: "another")).Should().BeEquivalentTo(new SendOutcome.Failed("webhook answered 401"));
        _received.Should().BeEmpty();
    }

    [Test]
    public async Task Server_errors_and_outages_retry_but_client_errors_fail()
    {
        _answer = 503;
        (await Send()).Should().BeOfType<SendOutcome.Retry>();
        _answer = 422;
        (await Send()).Should().BeEquivalentTo(new SendOutcome.Failed("webhook answered 422"));
        (await Send(url: $"http://127.0.0.1:{ServerProcess.FreePort()}/hook")).Should().BeOfType<SendOutcome.Retry>()
            .Which.Reason.Should().StartWith("webhook unreachable");
    }
}
