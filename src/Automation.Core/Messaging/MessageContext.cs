using Fluid;

namespace Automation.Core.Messaging;

/// <summary>
/// One render of one part of a message: Fluid's context with what the filters need besides its culture and time zone
/// (the customer's): the templates its partials come from, the currency of <c>money</c>, and whether the part is HTML (for <c>raw</c>).
/// </summary>
internal sealed class MessageContext : TemplateContext
{
    public MessageContext(LiquidTemplates templates, TemplateModel model, bool html, TemplateOptions options) : base(html ? model.Html : model.Plain, options)
    {
        Templates = templates;
        CultureInfo = model.Culture;
        TimeZone = model.Zone;
        Currency = model.Currency;
        Html = html;
    }

    /// <summary>Where <c>{% include %}</c> finds its partials.</summary>
    public LiquidTemplates Templates { get; }

    public string Currency { get; }

    public bool Html { get; }

    /// <summary>How many <c>{% include %}</c> deep the render is, so a partial that includes itself fails instead of recursing.</summary>
    public int IncludeDepth { get; set; }
}
