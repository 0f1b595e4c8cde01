using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Messaging;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Server.Tools;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation render --template cart-recovery/reminder --channel email --customer FILE</c> (or
/// <c>--template templates/cart-recovery/reminder.email.zh-CN.liquid</c>): prints the rendered message.
/// The customer file is an identify body, optionally with <c>cart</c> (products) and <c>context</c> (the step's action context).
/// </summary>
internal static class RenderCommand
{
    public static Command Create()
    {
        var template = new Option<string>("--template")
        {
            Required = true, HelpName = "NAME|FILE", Description = "the template: journey/step (cart-recovery/reminder), or a .liquid file",
        };
        var channel = new Option<string>("--channel")
        {
            HelpName = "CHANNEL", Description = "email, sms, webhook or file, for a template given by name", DefaultValueFactory = _ => "email",
        };
        var customer = new Option<string>("--customer")
        {
            Required = true, HelpName = "FILE", Description = "a JSON identify body, optionally with cart (products) and context (the step's action context)",
        };
        var command = new Command("render", "Render a template for a customer.") { template, channel, customer }.ReadingSettings();
        command.SetAction(result => Run(ServerSettings.Arguments(result), result.GetRequiredValue(template), result.GetRequiredValue(channel),
            result.GetRequiredValue(customer), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string[] settings, string template, string channel, string customerFile, TextWriter output, TextWriter errors)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        var config = builder.Configuration;
        var root = builder.Environment.ContentRootPath;

        using var folders = JourneyFiles.From(config, root, new QuartzCronSchedule());
        var templates = folders.CreateTemplates();
        try
        {
            var customer = JsonNode.Parse(File.ReadAllText(Path.Combine(root, customerFile))) as JsonObject
                ?? throw new FormatException($"{customerFile}: must hold one JSON object");
            var model = Model(customer, folders.Templates.DefaultCurrency);
            RenderedMessage message;
            if (template.EndsWith(".liquid", StringComparison.Ordinal))
            {
                var file = Path.GetFullPath(Path.Combine(root, template));
                var parts = Path.GetFileName(file).Split('.');
                var locale = parts.Length > 3 ? parts[^2] : null;
                message = templates.RenderFile(file, locale, parts[1], model);
            }
            else
            {
                message = templates.Render(template, channel, model);
            }
            output.WriteLine($"# {Path.GetRelativePath(root, message.TemplateFile)}");
            if (message.Subject is not null) output.WriteLine($"Subject: {message.Subject}\n\n--- html ---\n{message.Html}\n--- text ---");
            output.WriteLine(message.Text);
            return 0;
        }
        catch (TemplateException e)
        {
            errors.WriteLine($"{Path.GetRelativePath(root, e.File)}:{e.Line}: {e.Reason}");
            return 1;
        }
        catch (Exception e) when (e is FormatException or IOException or JsonException)
        {
            errors.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static TemplateModel Model(JsonObject customer, string defaultCurrency)
    {
        var now = TimeProvider.System.GetUtcNow();
        var context = customer["context"] as JsonObject ?? [];
        return TemplateModel.For(SampleCustomer.From(customer, now), "render", "render", now, null,
            (JsonObject)context.DeepClone(), "https://automation.example/u/preview", defaultCurrency, now);
    }
}
