using Automation.Channels;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Automation.Tests.Channels;

/// <summary>Each shipped channel's one registration: its provider when configured, else the file outbox in its place.</summary>
public sealed class ChannelRegistrationTests
{
    private static ServiceProvider Channels(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System)
            .AddSingleton<Automation.Core.Storage.IProviderTokenStore, InMemoryProviderTokens>().AddShippedChannels(configuration).BuildServiceProvider();
    }

    [Test]
    public void Without_providers_every_journey_channel_is_the_file_outbox_finding_the_recipient_where_its_provider_would()
    {
        using var services = Channels([]);
        var channels = services.GetChannels(JourneyReadOptions.DefaultChannels);

        channels.Values.Should().AllBeOfType<FileOutboxChannel>();
        channels.ToDictionary(c => c.Key, c => c.Value.Recipient.Noun).Should().Equal(new Dictionary<string, string>
        {
            ["email"] = Recipients.EmailAddress.Noun, ["sms"] = Recipients.PhoneNumber.Noun, ["webhook"] = Recipients.AnyAddress.Noun, ["file"] = Recipients.AnyAddress.Noun,
            ["wechat"] = "WeChat openid (trait wechat_openid)",
        });
        var follower = new Automation.Core.Customers.CustomerProfile { Traits = new System.Text.Json.Nodes.JsonObject { ["wechat_openid"] = "o-follower" } };
        channels["wechat"].Recipient.Read(follower).Should().Be("o-follower");
    }

    [Test]
    public void A_configured_provider_takes_its_channel_and_the_file_channel_stays()
    {
        using var services = Channels(new()
        {
            ["Channels:Email:Host"] = "smtp.example.com",
            ["Channels:Sms:AccountSid"] = "AC0123456789", ["Channels:Sms:AuthToken"] = "token", ["Channels:Sms:From"] = "+15005550006",
            ["Channels:Webhook:Url"] = "https://hooks.example.com/automation",
            ["Channels:WeChat:AppId"] = "wx0123456789abcdef", ["Channels:WeChat:AppSecret"] = "0123456789abcdef0123456789abcdef",
        });
        var channels = services.GetChannels(JourneyReadOptions.DefaultChannels);

        channels["email"].Should().BeOfType<EmailChannel>().Which.Recipient.Should().BeSameAs(Recipients.EmailAddress);
        channels["sms"].Should().BeOfType<TwilioSmsChannel>().Which.Recipient.Should().BeSameAs(Recipients.PhoneNumber);
        channels["webhook"].Should().BeOfType<WebhookChannel>();
        channels["file"].Should().BeOfType<FileOutboxChannel>();
        channels["wechat"].Should().BeOfType<WeChatChannel>();
    }
}
