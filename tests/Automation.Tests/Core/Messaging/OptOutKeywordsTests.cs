using Automation.Core.Messaging.Replies;

namespace Automation.Tests.Core.Messaging;

public sealed class OptOutKeywordsTests
{
    [TestCase("STOP")]
    [TestCase("stop")]
    [TestCase("  Stop  ")]
    [TestCase("Stop.")]
    [TestCase("STOP!")]
    [TestCase("stop all")]
    [TestCase("STOPALL")]
    [TestCase("Unsubscribe")]
    [TestCase("cancel")]
    [TestCase("END")]
    [TestCase("quit")]
    [TestCase("T")]
    [TestCase("t")]
    [TestCase("TD")]
    [TestCase("退订")]
    [TestCase(" 退订。")]
    [TestCase("ＳＴＯＰ")]
    [TestCase("ｔｄ")]
    [TestCase("\u3000Ｔ\u3000")]
    public void A_stop_keyword_alone_opts_out(string text) => OptOutKeywords.Interpret(text).Should().Be(ReplyIntent.OptOut);

    [TestCase("START")]
    [TestCase("start")]
    [TestCase("Unstop")]
    [TestCase("yes")]
    [TestCase("ＳＴＡＲＴ")]
    public void A_start_keyword_alone_opts_back_in(string text) => OptOutKeywords.Interpret(text).Should().Be(ReplyIntent.OptIn);

    [TestCase("HELP")]
    [TestCase("help")]
    [TestCase("Info.")]
    [TestCase("ＨＥＬＰ")]
    public void A_help_keyword_alone_asks_for_help(string text) => OptOutKeywords.Interpret(text).Should().Be(ReplyIntent.Help);

    [TestCase("Stop texting me")]
    [TestCase("please unsubscribe me")]
    [TestCase("TT")]
    [TestCase("退订了吗")]
    [TestCase("HELP me find my order")]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public void Anything_else_is_an_ordinary_reply(string? text) => OptOutKeywords.Interpret(text).Should().Be(ReplyIntent.None);
}
