using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

/// <summary>WeChat template files: what a bad one is told (file and line), as <c>automation validate</c> reports it.</summary>
public sealed class WeChatTemplateTests
{
    [TestCase("first: hi\n", 1, "a WeChat template needs 'template_id:' in its front matter")]
    [TestCase("---\ntemplate_id: T1\nsubject: no\n---\nfirst: hi\n", 3, "unknown front matter key 'subject': use template_id, url, miniprogram_appid, miniprogram_pagepath")]
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

    private static TemplateModel SampleModel() => TemplateModel.For(
        new CustomerSnapshot(new CustomerProfile { Id = 1, ExternalId = "c", Traits = new System.Text.Json.Nodes.JsonObject { ["firstName"] = "Mei" } }, CustomerStats.None, null),
        "j", "step", DateTimeOffset.UnixEpoch, null, [], "https://automation.example/u/abc", "CNY", DateTimeOffset.UnixEpoch);
}
