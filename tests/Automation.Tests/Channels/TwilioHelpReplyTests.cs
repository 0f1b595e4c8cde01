using Automation.Channels;
using Microsoft.Extensions.Configuration;

namespace Automation.Tests.Channels;

/// <summary>What a customer's HELP is answered with (<c>Channels:Sms:HelpReply</c>); the answer itself is in InboundRepliesApiTests.</summary>
public sealed class TwilioHelpReplyTests
{
    [Test]
    public void Unset_the_help_reply_names_the_shop_and_how_to_stop_and_set_it_is_the_shops_own()
    {
        new TwilioOptions().HelpReplyFor("茶铺").Should().StartWith("茶铺: ").And.Contain("Reply STOP to unsubscribe");
        new TwilioOptions().HelpReplyFor(null).Should().StartWith("marketing messages. Reply STOP");
        new TwilioOptions { HelpReply = "Tea Shop help: support@tea.example. Reply STOP to opt out." }.HelpReplyFor("茶铺").Should().Be("Tea Shop help: support@tea.example. Reply STOP to opt out.");
        new TwilioOptions { HelpReply = "" }.HelpReplyFor("茶铺").Should().BeEmpty("an empty setting leaves HELP to Twilio");
    }

    [Test]
    public void An_empty_setting_binds_as_empty_not_as_unset()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Channels:Sms:HelpReply"] = "" }).Build();
        var options = new TwilioOptions();
        configuration.GetSection(TwilioOptions.Section).Bind(options);

        options.HelpReplyFor("茶铺").Should().BeEmpty();
    }

    [Test]
    public void A_help_reply_longer_than_one_twilio_message_stops_start_up_naming_the_key()
    {
        var result = new TwilioOptionsValidator().Validate(null, new TwilioOptions { HelpReply = new string('x', TwilioSmsChannel.MaxBodyLength + 1) });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Be("Channels:Sms:HelpReply must be at most 1600 characters, the most one SMS Twilio sends may hold.");
        new TwilioOptionsValidator().Validate(null, new TwilioOptions { HelpReply = new string('x', TwilioSmsChannel.MaxBodyLength) }).Succeeded.Should().BeTrue();
    }
}
