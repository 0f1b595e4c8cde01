using System.Diagnostics;
using System.Text.Json.Nodes;
using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Tests.Support;
using Microsoft.Extensions.Options;

namespace Automation.Tests.Channels;

/// <summary>The WeChat adapter's send rate against the loopback Official Account server, as docs/performance.md reports it.</summary>
[NonParallelizable]
[Category("Performance")]
public sealed class WeChatSendRateTests
{
    private const int Messages = 2000;
    private const int Senders = 16;

    [Test]
    public async Task Sixteen_senders_send_two_thousand_template_messages_with_one_token_fetch()
    {
        await using var weChat = await FakeWeChat.StartAsync();
        var options = Options.Create(new WeChatOptions { AppId = FakeWeChat.AppId, AppSecret = FakeWeChat.AppSecret, BaseUrl = weChat.Url });
        using var http = new HttpClient();
        using var tokens = new WeChatAccessTokens(http, options, new InMemoryProviderTokens(), TimeProvider.System);
        var channel = new WeChatChannel(http, options, tokens);
        var body = """{"template_id":"T1","url":"https://shop.example/o/1","data":{"first":{"value":"您好"},"keyword1":{"value":"A-1"}}}""";
        var next = -1;

        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            var results = new List<SendOutcome>();
            for (var i = Interlocked.Increment(ref next); i < Messages; i = Interlocked.Increment(ref next))
                results.Add(await channel.SendAsync(new OutgoingMessage(i, $"rate:{i}", WeChatChannel.Name, $"c{i}", $"o-{i}", null,
                    new RenderedMessage(null, null, body, "rate.wechat.liquid", null), "", new JsonObject()), CancellationToken.None));
            return results;
        })));
        clock.Stop();

        TestContext.Progress.WriteLine($"WeChat: {Messages} template messages by {Senders} senders in {clock.Elapsed.TotalSeconds:0.00} s = {Messages / clock.Elapsed.TotalSeconds:0}/s, {weChat.TokenFetches} token fetch");
        outcomes.SelectMany(o => o).Should().HaveCount(Messages).And.AllBeOfType<SendOutcome.Sent>();
        weChat.TokenFetches.Should().Be(1);
    }
}
