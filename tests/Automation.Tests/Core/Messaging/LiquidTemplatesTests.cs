using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Messaging;

using Automation.Tests.Support;

namespace Automation.Tests.Core.Messaging;

public sealed class LiquidTemplatesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private DirectoryInfo _root = null!;
    private LiquidTemplates _templates = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("automation-templates-");
        _templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(_root.FullName), "en"));
    }

    [TearDown]
    public void TearDown() => _root.Delete(recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static TemplateModel Model(string name = "Ann Lee", string? locale = null, string? timezone = null)
    {
        var profile = new CustomerProfile { Id = 1, ExternalId = "ann", Name = name, Email = "ann@example.com", Locale = locale, Timezone = timezone };
        var cart = new Cart([new ProductLine("tea", null, "Green tea", 12.5m, 2, null, "https://shop.example/tea", null)], "USD", Now);
        var snapshot = new CustomerSnapshot(profile, CustomerStats.None, cart);
        return TemplateModel.For(snapshot, "cart-recovery", "reminder", Now.AddHours(-1), null,
            new JsonObject { ["Coupon"] = "CART10" }, "https://automation.example/u/abc", "USD", Now);
    }

    [Test]
    public void An_email_has_its_subject_html_and_a_text_part_derived_from_the_html()
    {
        Write("cart-recovery/reminder.email.liquid", """
            ---
            subject: {{ customer.first_name }}, your {{ cart.item_count }} items are waiting
            ---
            <p>Hi {{ customer.name }},</p>
            <p>{% for item in cart.items %}{{ item.name }} × {{ item.quantity }} {% endfor %}for {{ cart.value | money }}.</p>
            <p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
            """);

        var message = _templates.Render("cart-recovery/reminder", "email", Model());

        message.Subject.Should().Be("Ann, your 2 items are waiting");
        message.Html.Should().Contain("<p>Hi Ann Lee,</p>").And.Contain("Green tea × 2 for $25.00.");
        message.Text.Should().Be("Hi Ann Lee,\n\nGreen tea × 2 for $25.00.\n\nUnsubscribe (https://automation.example/u/abc)");
    }

    [TestCase("javascript:alert(1)")]
    [TestCase(" JavaScript:alert(document.cookie)")]
    [TestCase("data:text/html,<script>alert(1)</script>")]
    [TestCase("vbscript:msgbox(1)")]
    [TestCase("//evil.example/x")]
    public void A_product_url_that_is_not_http_never_reaches_a_link_of_the_shipped_cart_email(string url)
    {
        var shipped = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "templates")), "en"), "示例小店");
        var profile = new CustomerProfile { Id = 1, ExternalId = "ann", Name = "Ann", Email = "ann@example.com" };
        var cart = new Cart([new ProductLine("tea", null, "Green tea", 12.5m, 2, null, url, null), new ProductLine("cup", null, "Cup", 5m, 1, null, "https://shop.example/cup", null)], "USD", Now);
        var model = TemplateModel.For(new CustomerSnapshot(profile, CustomerStats.None, cart), "cart-recovery", "reminder", Now.AddHours(-1), null,
            [], "https://automation.example/u/abc", "USD", Now);

        var message = shipped.Render("cart-recovery/reminder", "email", model);

        message.Html.Should().NotContainAny("javascript:", "JavaScript:", "data:text", "vbscript:", "evil.example").And.Contain("Green tea");
        message.Html.Should().Contain("<a href=\"https://shop.example/cup\">Cup</a>");
    }

    [Test]
    public void No_locale_or_template_name_reads_a_file_outside_the_templates_folder()
    {
        Write("cart-recovery/reminder.email.liquid", "<p>inside</p>");
        var outside = Directory.CreateTempSubdirectory("automation-outside-");
        try
        {
            File.WriteAllText(Path.Combine(outside.FullName, "evil.liquid"), "<p>outside</p>");
            File.WriteAllText(Path.Combine(outside.FullName, "x.email.liquid"), "<p>outside</p>");
            var files = new TemplateFiles(DiskFiles.Folder(_root.FullName), "en");
            var escape = Path.GetRelativePath(_root.FullName, outside.FullName);

            files.Find("cart-recovery/reminder", "email", $"x/../../{escape}/evil")!.Value.File.Should().EndWith("reminder.email.liquid");
            files.Find($"{escape}/x", "email", null).Should().BeNull();
            files.Find(Path.Combine(outside.FullName, "x"), "email", null).Should().BeNull();
            TemplateFiles.IsLocale("zh-Hant-TW").Should().BeTrue();
            TemplateFiles.IsLocale("x/../../tmp/evil").Should().BeFalse();
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Test]
    public void Values_are_escaped_in_html_unless_raw_but_not_in_subject_or_text()
    {
        Write("j/s.email.liquid", """
            ---
            subject: Hi {{ customer.name }}
            ---
            <p>{{ customer.name }}</p><div>{{ customer.name | raw }}</div>
            <!-- text -->
            Hi {{ customer.name }}
            """);

        var message = _templates.Render("j/s", "email", Model(name: "<a href=\"https://evil.example\">x</a>"));

        message.Html.Should().Contain("<p>&lt;a href=&quot;https://evil.example&quot;&gt;x&lt;/a&gt;</p>");
        message.Html.Should().Contain("<div><a href=\"https://evil.example\">x</a></div>");
        message.Subject.Should().Be("Hi <a href=\"https://evil.example\">x</a>");
        message.Text.Should().Be("Hi <a href=\"https://evil.example\">x</a>");
    }

    [Test]
    public void An_undefined_variable_fails_with_file_and_line_instead_of_rendering_blank()
    {
        Write("j/s.sms.liquid", "Hello\nHi {{ customer.nickname }}!");
        var render = () => _templates.Render("j/s", "sms", Model());
        render.Should().Throw<TemplateException>().Which.Message.Should().EndWith("s.sms.liquid:2: Variable 'customer.nickname' could not be found");
    }

    [Test]
    public void An_unknown_filter_fails_with_file_and_line()
    {
        Write("j/s.sms.liquid", "Hi\n{{ customer.name | shout }}");
        var render = () => _templates.Render("j/s", "sms", Model());
        render.Should().Throw<TemplateException>().Which.Message.Should().EndWith(":2: unknown filter 'shout'");
    }

    [Test]
    public void A_syntax_error_names_its_file()
    {
        Write("j/s.sms.liquid", "Hi {% if customer.name %}");
        var render = () => _templates.Render("j/s", "sms", Model());
        render.Should().Throw<TemplateException>().Which.Reason.Should().StartWith("syntax:");
    }

    [Test]
    public void The_customer_locale_picks_the_file_then_its_language_then_the_default()
    {
        Write("j/s.sms.liquid", "default");
        Write("j/s.sms.en.liquid", "english");
        Write("j/s.sms.zh-CN.liquid", "中文");
        Write("j/s.sms.fr.liquid", "français");

        _templates.Render("j/s", "sms", Model(locale: "zh-CN")).Text.Should().Be("中文");
        _templates.Render("j/s", "sms", Model(locale: "fr-CA")).Text.Should().Be("français");
        _templates.Render("j/s", "sms", Model(locale: "de-DE")).Text.Should().Be("english");
        File.Delete(Path.Combine(_root.FullName, "j/s.sms.en.liquid"));
        _templates.Render("j/s", "sms", Model(locale: "de-DE")).Text.Should().Be("default");
    }

    [Test]
    public void Layouts_and_partials_wrap_the_body()
    {
        Write("_layouts/default.liquid", "<html><body>{{ content }}{% include 'footer' %}</body></html>");
        Write("_partials/_footer.liquid", "<footer><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></footer>");
        Write("j/s.email.liquid", "---\nsubject: Hello\nlayout: default\n---\n<p>Body for {{ customer.name }}</p>");

        var message = _templates.Render("j/s", "email", Model());
        message.Html.Should().Be("<html><body><p>Body for Ann Lee</p><footer><a href=\"https://automation.example/u/abc\">Unsubscribe</a></footer></body></html>");
    }

    [Test]
    public void Dates_render_in_the_customer_time_zone()
    {
        Write("j/s.sms.liquid", "{{ journey.entered_at | local_date: \"yyyy-MM-dd HH:mm\" }}");
        _templates.Render("j/s", "sms", Model(timezone: "Asia/Shanghai")).Text.Should().Be("2026-03-10 19:00");
    }

    [Test]
    public void A_saved_template_is_read_again()
    {
        Write("j/s.sms.liquid", "first");
        _templates.Render("j/s", "sms", Model()).Text.Should().Be("first");
        Write("j/s.sms.liquid", "second");
        File.SetLastWriteTimeUtc(Path.Combine(_root.FullName, "j/s.sms.liquid"), TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(5));
        _templates.Render("j/s", "sms", Model()).Text.Should().Be("second");
    }

    [Test]
    public void An_email_without_a_subject_is_refused()
    {
        Write("j/s.email.liquid", "<p>no subject</p>");
        var render = () => _templates.Render("j/s", "email", Model());
        render.Should().Throw<TemplateException>().Which.Reason.Should().Contain("needs 'subject:'");
    }
    [Test]
    public void A_template_saved_broken_keeps_its_last_good_version_and_counts_one_reload_failure_per_save()
    {
        var failures = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "automation.rules.reload.failures") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "automation.rules.file", Value: "template" }) Interlocked.Add(ref failures, value);
            }
        });
        listener.Start();
        var file = Path.Combine(_root.FullName, "j/s.sms.liquid");
        Write("j/s.sms.liquid", "Hi {{ customer.name }}");
        _templates.Render("j/s", "sms", Model()).Text.Should().Be("Hi Ann Lee");

        Write("j/s.sms.liquid", "Hi {% if customer.name %}");
        File.SetLastWriteTimeUtc(file, TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(5));
        _templates.Render("j/s", "sms", Model()).Text.Should().Be("Hi Ann Lee", "the last good version keeps rendering");
        _templates.Render("j/s", "sms", Model()).Text.Should().Be("Hi Ann Lee");

        _templates.Problems.Should().ContainSingle().Which.Line.Should().Be(1);
        Interlocked.Read(ref failures).Should().Be(1, "a bad save is one failure, however many messages render after it");
    }

    [Test]
    public void A_missing_member_of_a_loop_item_is_named_with_its_line_and_a_null_value_is_nil()
    {
        Write("j/s.sms.liquid", "{{ customer.locale | default: 'en' }}{% if customer.tier_since %}x{% endif %}\n{% for item in cart.items %}\n{{ item.colour }}{% endfor %}");
        var render = () => _templates.Render("j/s", "sms", Model());
        render.Should().Throw<TemplateException>().Which.Message.Should().EndWith("s.sms.liquid:3: Variable 'cart.items[0].colour' could not be found");
    }

    [Test]
    public void A_runaway_loop_fails_the_render_instead_of_holding_the_dispatcher()
    {
        Write("j/s.sms.liquid", "{% for i in (1..1000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}");
        var render = () => _templates.Render("j/s", "sms", Model());
        var problem = render.Should().Throw<TemplateException>().Which;
        problem.Line.Should().Be(1);
        problem.Reason.Should().Be("The maximum number of 100000 steps has been reached.");
    }

    [Test]
    public void A_partial_that_includes_itself_fails_instead_of_recursing()
    {
        Write("_partials/_loop.liquid", "x{% include 'loop' %}");
        Write("j/s.sms.liquid", "Hi\n{% include 'loop' %}");
        var render = () => _templates.Render("j/s", "sms", Model());
        render.Should().Throw<TemplateException>().Which.Message.Should().Contain(":2: partial 'loop' is included more than 10 levels deep");
    }

    [TestCase("../secret")]
    [TestCase("missing")]
    public void A_partial_outside_the_partials_folder_or_missing_fails_with_its_name(string name)
    {
        Write("j/s.sms.liquid", $"Hi\n{{% include '{name}' %}}");
        var render = () => _templates.Render("j/s", "sms", Model());
        render.Should().Throw<TemplateException>().Which.Message.Should().Contain($":2: partial '{name}'");
    }

    [Test]
    public void A_syntax_error_names_its_line_in_the_file()
    {
        Write("j/s.email.liquid", "---\nsubject: Hi\n---\n<p>Hello</p>\n<p>{% if customer.name %}</p>");
        var render = () => _templates.Render("j/s", "email", Model());
        var problem = render.Should().Throw<TemplateException>().Which;
        problem.Line.Should().Be(5);
        problem.Reason.Should().StartWith("syntax: ").And.Contain("column");
    }
}
