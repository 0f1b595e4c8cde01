using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

/// <summary>WeChat template files: what a bad one is told (file and line), as <c>automation validate</c> reports it.</summary>
public sealed class WeChatTemplateTests
{
    [TestCase("first: hi\n", 1, "a WeChat template needs 'template_id:' in its front matter")]
    [TestCase("---\ntemplate_id: T1\nsubject: no\n---\nfirst: hi\n", 3, "unknown front matter key 'subject': use template_id, kind, url, miniprogram_appid, miniprogram_pagepath")]
    [TestCase("---\ntemplate_id: T1\nkind: newsletter\n---\nfirst: hi\n", 3, "kind is 'template' (模板消息, the default) or 'subscribe' (订阅通知), not 'newsletter'")]
    [TestCase("---\ntemplate_id: T1\nkind: subscribe\n---\nthing1: hi\nremark: 感谢惠顾\n", 6, "'remark' is not a subscribe message field")]
    [TestCase("---\ntemplate_id: T1\nkind: subscribe\n---\nthing1: 您的订单已经发货啦请留意查收快递包裹谢谢您\n", 5, "field 'thing1' is a thing: at most 20 characters")]
    [TestCase("---\ntemplate_id: T1\nkind: subscribe\n---\nthing1: hi\nphrase2: 已发货了哦亲\n", 6, "field 'phrase2' is a phrase: at most 5 Chinese characters")]
    [TestCase("---\ntemplate_id: T1\nkind: subscribe\n---\ncharacter_string1: 订单1\n", 5, "field 'character_string1' is a character_string")]
    [TestCase("---\ntemplate_id: T1\nkind: subscribe\n---\nthing1: hi\nthing2:\n", 6, "field 'thing2' is empty")]
    [TestCase("---\ntemplate_id: T1\nkind: subscribe\n---\nthing1: {{ customer.first_name }}，您的订单已经发货啦请留意查收快递包裹\n", 5, "field 'thing1' is a thing: at most 20 characters, not 'Mei，您的订单已经发货啦请留意查收快递包裹' (22 characters)")]
    [TestCase("---\ntemplate_id: T1\n---\nfirst: hi\njust text\n", 5, "each line of a WeChat template is 'field: value'")]
    [TestCase("---\ntemplate_id: T1\n---\nfirst: hi\nfirst: again\n", 5, "field 'first' is given twice")]
    [TestCase("---\ntemplate_id: T1\nminiprogram_appid: wx1\n---\nfirst: hi\n", 3, "miniprogram_appid and miniprogram_pagepath go together")]
    [TestCase("---\ntemplate_id: T1\n---\nfirst: hi\nkeyword1: {{ customer.first_name | nosuch }}\n", 5, "unknown filter")]
    public void A_bad_WeChat_template_is_reported_with_its_file_and_line(string source, int line, string reason)
    {
        var root = Directory.CreateTempSubdirectory("automation-wechat-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "j"));
            var file = Path.Combine(root.FullName, "j", "step.wechat.liquid");
            File.WriteAllText(file, source);
            var templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(root.FullName), "en"));

            var problem = FluentActions.Invoking(() =>
            {
                templates.Load(file);
                templates.Render("j/step", "wechat", SampleModel());
            }).Should().Throw<TemplateException>().Which;

            problem.File.Should().Be(file);
            problem.Line.Should().Be(line);
            problem.Reason.Should().StartWith(reason);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Test]
    public void A_subscribe_file_renders_page_and_data_without_color_and_says_its_kind()
    {
        var root = Directory.CreateTempSubdirectory("automation-wechat-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "j"));
            File.WriteAllText(Path.Combine(root.FullName, "j", "step.wechat.liquid"),
                "---\ntemplate_id: T1\nkind: subscribe\nurl: https://shop.example/c/{{ customer.first_name }}\n---\nthing1: {{ customer.first_name }}的订单已发货\namount2: ¥99.00\nphrase3: 配送中\nthing4: {{ \"一二三四五六七八九十一二三四五六七八九十多出\" | truncate: 20, \"\" }}\n");
            var templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(root.FullName), "en"));

            var rendered = templates.Render("j/step", "wechat", SampleModel());

            rendered.WeChatKind.Should().Be(WeChatMessageKind.Subscribe);
            rendered.Text.Should().Be("""{"template_id":"T1","page":"https://shop.example/c/Mei","data":{"thing1":{"value":"Mei的订单已发货"},"amount2":{"value":"¥99.00"},"phrase3":{"value":"配送中"},"thing4":{"value":"一二三四五六七八九十一二三四五六七八九十"}}}""");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [TestCase("thing1", "二十个字二十个字二十个字二十个字二十个字", true)]
    [TestCase("thing1", "二十个字二十个字二十个字二十个字二十个字多", false)]
    [TestCase("number2", "3.14", true)]
    [TestCase("number2", "3,14", false)]
    [TestCase("letter3", "abc", true)]
    [TestCase("letter3", "abc1", false)]
    [TestCase("symbol4", "%", true)]
    [TestCase("symbol4", "%%%%%%", false)]
    [TestCase("phone_number5", "+86-0766-66888866", true)]
    [TestCase("phone_number5", "call 110", false)]
    [TestCase("amount6", "¥99.00", true)]
    [TestCase("amount6", "100元", true)]
    [TestCase("amount6", "¥12345678901", false)]
    [TestCase("name7", "王小美", true)]
    [TestCase("name7", "欧阳欧阳欧阳欧阳欧阳欧", false)]
    [TestCase("name7", "Marguerite Yourcenar", true)]
    [TestCase("time8", "2019年10月1日 15:01", true)]
    public void Subscribe_field_values_are_held_to_WeChats_limits_per_type(string field, string value, bool accepted) =>
        (WeChatSubscribeFields.Problem(field, value) is null).Should().Be(accepted);

    private static TemplateModel SampleModel() => TemplateModel.For(
        new CustomerSnapshot(new CustomerProfile { Id = 1, ExternalId = "c", Traits = new System.Text.Json.Nodes.JsonObject { ["firstName"] = "Mei" } }, CustomerStats.None, null),
        "j", "step", DateTimeOffset.UnixEpoch, null, [], "https://automation.example/u/abc", "CNY", DateTimeOffset.UnixEpoch);
}
