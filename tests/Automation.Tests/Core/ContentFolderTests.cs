using System.Text.Json.Nodes;
using Automation.Core;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Tags;
using Automation.Tests.Support;

namespace Automation.Tests.Core;

/// <summary>Core reads journeys, rule files and templates through a file provider only: these folders exist in memory, not on disk.</summary>
public sealed class ContentFolderTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Nowhere = Path.Combine(Path.GetTempPath(), $"automation-nowhere-{Guid.NewGuid():N}");

    private const string Welcome = """
        { "WorkflowName": "welcome", "Trigger": { "Event": "Signed Up" }, "Rules": [ { "RuleName": "hello", "Expression": "true",
          "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/hello" } } } } ] }
        """;

    private readonly InMemoryFiles _rules = new();
    private readonly InMemoryFiles _templates = new();
    private ContentFolder Rules => new(_rules, Path.Combine(Nowhere, "rules"));
    private ContentFolder Templates => new(_templates, Path.Combine(Nowhere, "templates"));
    private JourneyReadOptions Options => new(JourneyReadOptions.DefaultChannels, JourneyDirectory.TemplatesIn(Templates));

    [SetUp]
    public void SetUp()
    {
        _rules.Write("welcome.json", Welcome)
            .Write("broken.json", "{\n  \"WorkflowName\": ")
            .Write("schema.json", "{}")
            .Write("notes.txt", "not a journey")
            .Write("tags.json", """{ "WorkflowName": "tags", "Rules": [ { "RuleName": "repeat", "Expression": "stats.OrderCount >= 2" } ] }""");
        _templates.Write("welcome/hello.email.liquid", "---\nsubject: Hello {{ customer.first_name }}\nlayout: default\n---\n<p>Welcome</p>")
            .Write("welcome/hello.email.fr.liquid", "---\nsubject: Bonjour {{ customer.first_name }}\nlayout: default\n---\n<p>Bienvenue</p>")
            .Write("_layouts/default.liquid", "<html><body>{{ content }}{% include 'footer' %}</body></html>")
            .Write("_partials/_footer.liquid", "<footer>{{ unsubscribe_url }}</footer>");
    }

    [Test]
    public void Journeys_and_rule_files_are_read_from_the_provider_and_named_under_the_root()
    {
        Directory.Exists(Nowhere).Should().BeFalse();

        var files = JourneyDirectory.Load(Rules, Options);

        files.Select(f => f.File).Should().Equal(Rules.PathOf("broken.json"), Rules.PathOf("welcome.json"));
        files[1].Journey!.Name.Should().Be("welcome");
        files[1].Problems.Should().BeEmpty("its template is found in the templates provider");
        files[0].Problems.Should().ContainSingle().Which.ToString().Should().StartWith($"{Rules.PathOf("broken.json")}:2: malformed JSON");
        JourneyDirectory.LoadOne(Rules, "welcome", Options)!.Journey!.Name.Should().Be("welcome");
        JourneyDirectory.LoadOne(Rules, "tags", Options).Should().BeNull("tags.json is not a journey");

        var tags = new TagCatalog();
        tags.Reload(Rules, "tags.json").Should().BeEmpty();
        tags.Rules!.Rules.Select(r => r.Name).Should().Equal("repeat");
        tags.Reload(Rules, "absent.json").Should().BeEmpty();
        tags.Rules.Should().BeNull("without the file the feature is off");
    }

    [Test]
    public void Templates_render_with_their_layout_partial_and_locale_from_the_provider()
    {
        var templates = new LiquidTemplates(new TemplateFiles(Templates, "en"));

        var french = templates.Render("welcome/hello", "email", Model("fr"));
        french.TemplateFile.Should().Be(Templates.PathOf("welcome/hello.email.fr.liquid"));
        french.Subject.Should().Be("Bonjour Ann");
        french.Html.Should().Be("<html><body><p>Bienvenue</p><footer>https://automation.example/u/abc</footer></body></html>");
        templates.Render("welcome/hello", "email", Model(null)).Subject.Should().Be("Hello Ann");

        var journeys = JourneyDirectory.Load(Rules, Options).Where(f => f.Journey is not null).Select(f => f.Journey!);
        TemplateCheck.Check(templates, journeys, Now).Should().BeEmpty("both variants render against the sample customer");
    }

    [Test]
    public void A_template_saved_again_is_read_again_and_a_missing_one_is_named_under_the_root()
    {
        var templates = new LiquidTemplates(new TemplateFiles(Templates, "en"));
        templates.Render("welcome/hello", "email", Model(null)).Html.Should().Contain("Welcome");

        _templates.Write("welcome/hello.email.liquid", "---\nsubject: Hi\nlayout: default\n---\n<p>Welcome back</p>");

        templates.Render("welcome/hello", "email", Model(null)).Html.Should().Contain("Welcome back");
        var missing = () => templates.Render("welcome/gone", "sms", Model(null));
        missing.Should().Throw<TemplateException>().Which.File.Should().Be(Path.Combine(Templates.Root, "welcome/gone.sms.liquid"));
    }

    [Test]
    public void A_folder_lists_the_files_directly_in_it_and_a_missing_file_is_not_found_by_its_path()
    {
        Templates.FilesIn(Templates.PathOf("welcome")).Should().Equal(Templates.PathOf("welcome/hello.email.fr.liquid"), Templates.PathOf("welcome/hello.email.liquid"));
        Templates.FilesIn(Templates.Root).Should().BeEmpty("the root holds folders only");
        Templates.FilesIn(Templates.PathOf("nope")).Should().BeEmpty();
        Templates.Exists(Templates.PathOf("welcome")).Should().BeFalse("a folder is not a file");

        var read = () => Templates.ReadAllText(Templates.PathOf("welcome/gone.sms.liquid"));
        read.Should().Throw<FileNotFoundException>().Which.FileName.Should().Be(Templates.PathOf("welcome/gone.sms.liquid"));
    }

    private static TemplateModel Model(string? locale)
    {
        var profile = new CustomerProfile { Id = 1, ExternalId = "ann", Name = "Ann Lee", Email = "ann@example.com", Locale = locale };
        return TemplateModel.For(new CustomerSnapshot(profile, CustomerStats.None, null), "welcome", "hello", Now.AddHours(-1), null,
            new JsonObject(), "https://automation.example/u/abc", "USD", Now);
    }
}
