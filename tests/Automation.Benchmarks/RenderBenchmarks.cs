using Automation.Benchmarks.Load;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Server.Hosting;
using BenchmarkDotNet.Attributes;

namespace Automation.Benchmarks;

/// <summary>
/// Rendering two shipped templates as the dispatcher does, parsed templates cached: the zh-CN cart-recovery SMS (with
/// its Aliyun/Tencent parameters) and the English cart-recovery email (subject, HTML in the layout with the cart
/// partial, text part), for the sample customer of <c>automation validate</c>.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- --filter *Render*</c>.
/// </summary>
[MemoryDiagnoser]
public class RenderBenchmarks
{
    private static readonly DateTimeOffset Now = new(2027, 5, 14, 9, 30, 0, TimeSpan.Zero);

    private LiquidTemplates _templates = null!;
    private TemplateModel _smsModel = null!;
    private TemplateModel _emailModel = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = IngestLoad.RepositoryRoot();
        _templates = new LiquidTemplates(new TemplateFiles(DiskFolderProvider.Open(Path.Combine(root, "templates")), "en"), "Demo Shop");
        var journey = JourneyDirectory.Load(DiskFolderProvider.Open(Path.Combine(root, "rules")), new JourneyReadOptions(JourneyReadOptions.DefaultChannels, null))
            .Single(f => Path.GetFileNameWithoutExtension(f.File) == "cart-recovery").Journey!;
        TemplateModel Model(string channel, string? locale)
        {
            var step = journey.Steps.First(s => s.Action is SendAction send && send.Channel == channel);
            return TemplateCheck.Sample(journey, step.Name, (SendAction)step.Action, locale, Now);
        }
        _smsModel = Model("sms", "zh-CN");
        _emailModel = Model("email", null);
        ChineseSms();
        Email();
    }

    [Benchmark]
    public RenderedMessage ChineseSms() => _templates.Render("cart-recovery/coupon", "sms", _smsModel);

    [Benchmark]
    public RenderedMessage Email() => _templates.Render("cart-recovery/reminder", "email", _emailModel);
}
