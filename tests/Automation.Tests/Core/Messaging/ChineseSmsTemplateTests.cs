using Automation.Core.Messaging;
using Automation.Tests.Faults;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

/// <summary>
/// SMS templates for Aliyun and Tencent Cloud: the front matter naming each provider's approved template and its
/// parameters is read with file and line; every shipped SMS template works on both providers (`automation validate`
/// renders each against a sample customer and requires the provider's code); the zh-CN ones carry the sign name and 回T退订.
/// </summary>
public sealed class ChineseSmsTemplateTests
{
    [TestCase("aliyun")]
    [TestCase("tencent")]
    public async Task Automation_validate_renders_every_shipped_sms_template_for_the_chinese_provider(string provider)
    {
        var (code, _, errors) = await AutomationCli.RunAsync(["validate", "--contentRoot", ServerProcess.RepositoryRoot(), $"--Channels:Sms:Provider={provider}"]);

        errors.Should().BeEmpty();
        code.Should().Be(0);
    }

    [Test]
    public async Task Automation_validate_names_an_sms_template_without_the_providers_code()
    {
        var root = Directory.CreateTempSubdirectory("automation-cn-sms-").FullName;
        try
        {
            FaultDrill.Write(root, "sms");

            var (code, _, errors) = await AutomationCli.RunAsync(["validate", "--contentRoot", root, "--Channels:Sms:Provider=tencent"]);

            code.Should().Be(1);
            errors.Should().Contain($"{Path.Combine("templates", "fault-drill", "notice.sms.liquid")}:1: Channels:Sms:Provider is tencent, which sends only approved templates: " +
                "add 'tencent_template: <code>' and its param.<name> lines to the front matter");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestCase("---\naliyun_template: 12345\n---\nHi", 2, "aliyun_template '12345' is not a template code such as SMS_123456789")]
    [TestCase("---\ntencent_template: SMS_1\n---\nHi", 2, "tencent_template 'SMS_1' is not a template code such as 1234567")]
    [TestCase("---\naliyun_template: SMS_1\nparam.1st: x\n---\nHi", 3, "'param.1st': a template variable's name is letters, digits and _ (at most 32), starting with a letter")]
    [TestCase("---\nparam.code: a\nparam.code: b\n---\nHi", 3, "'param.code' is declared twice")]
    [TestCase("---\nparam.code: {{ coupon.code\n---\nHi", 2, null)]
    [TestCase("---\nwechat_template: x\n---\nHi", 2, "unknown front matter key 'wechat_template': use subject, layout, aliyun_template, tencent_template or param.<name>")]
    public void A_bad_provider_front_matter_line_is_named_with_its_line(string source, int line, string? reason)
    {
        var parse = () => LiquidTemplates.ParsedFile.Parse("templates/j/s.sms.zh-CN.liquid", source);

        var problem = parse.Should().Throw<TemplateException>().Which;
        problem.File.Should().Be("templates/j/s.sms.zh-CN.liquid");
        problem.Line.Should().Be(line);
        if (reason is not null) problem.Reason.Should().Be(reason);
    }

    [Test]
    public void The_codes_and_parameters_in_declaration_order_are_rendered_with_the_message()
    {
        var parsed = LiquidTemplates.ParsedFile.Parse("t.sms.liquid", "---\ntencent_template: 1000102\naliyun_template: SMS_100000102\nparam.code: {{ c }}\nparam.value: v\n---\nbody");

        parsed.ProviderCodes.Should().Equal(new Dictionary<string, string> { ["tencent"] = "1000102", ["aliyun"] = "SMS_100000102" });
        parsed.Parameters.Select(p => (p.Key, p.Value.Source, p.Value.FirstLine)).Should().Equal(("code", "{{ c }}", 4), ("value", "v", 5));
    }

    private static IEnumerable<string> ShippedChineseSms() =>
        Directory.EnumerateFiles(Path.Combine(ServerProcess.RepositoryRoot(), "templates"), "*.sms.zh-CN.liquid", SearchOption.AllDirectories).Order();

    [TestCaseSource(nameof(ShippedChineseSms))]
    public void A_shipped_zh_CN_sms_template_is_signed_with_the_configured_name_and_offers_T_to_opt_out(string file)
    {
        var parsed = LiquidTemplates.ParsedFile.Parse(file, File.ReadAllText(file));

        parsed.Body.Source.Trim().Should().StartWith("【{{ shop.sign_name }}】").And.EndWith("回T退订").And.NotContain("STOP");
        parsed.ProviderCodes.Keys.Should().BeEquivalentTo(["aliyun", "tencent"]);
    }
}
