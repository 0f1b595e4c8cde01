using System.Linq.Expressions;
using Automation.Core.Customers;
using FastExpressionCompiler;
using RulesEngine.ExpressionBuilders;
using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>The facts one evaluation sees, built once and shared by every expression evaluated for it.</summary>
public sealed record Facts(CustomerFacts Customer, StatsFacts Stats, CartFacts Cart, EventFacts Event, JourneyFacts Journey, NowFacts Now)
{
    /// <summary>The same facts as RulesEngine inputs, by the names expressions use.</summary>
    public RuleParameter[] ToInputs() => RuleCompilation.Inputs(Customer, Stats, Cart, Event, Journey, Now);

    /// <summary>A customer with nothing known, as validation runs each expression against.</summary>
    public static Facts Empty() => new(new(), new(), new(), new(), new(), new());
}

/// <summary>Why a rule is no longer evaluated: one evaluation went past its budget or ran out of memory.</summary>
/// <param name="CustomerId">The customer whose evaluation it was.</param>
public sealed record RuleQuarantine(string Reason, string CustomerId, DateTimeOffset At);

/// <summary>One evaluation: whether the rule holds, why it failed, and whether this evaluation quarantined it.</summary>
public readonly record struct RuleResult(bool Holds, string? Error = null, RuleQuarantine? QuarantinedNow = null);

/// <summary>A rule expression that cannot run: it does not parse, or reaches beyond the allow-list.</summary>
public sealed class RuleCompileException(string reason) : Exception(reason);

/// <summary>
/// One rule expression, with the global and local params before it, compiled once into a typed delegate by
/// RulesEngine's own expression parser (the same dynamic-LINQ dialect, custom types and sandbox as
/// <c>ExecuteAllRulesAsync</c>). Calling the delegate skips what RulesEngine does on every call — boxing the inputs,
/// looking up the cached workflow, building a result tree per rule — which is most of its cost.
/// Every node must pass <see cref="ExpressionAllowList"/>, and every evaluation runs under a <see cref="RuleBudget"/>
/// counted by the compiled code itself: a rule that goes past it is quarantined (never evaluated again until its
/// file is reloaded) and the evaluation, like the events around it, goes on.
/// </summary>
public sealed class CompiledRule
{
    /// <summary>Longer or deeper expressions are refused before parsing: the parser and compiler recurse on nesting.</summary>
    public const int MaxLength = 2000, MaxNesting = 32;

    private delegate bool Evaluator(CustomerFacts customer, StatsFacts stats, CartFacts cart, EventFacts @event, JourneyFacts journey, NowFacts now, RuleBudget budget);

    private readonly Evaluator _evaluate;
    private readonly RuleLimits _limits;
    private RuleQuarantine? _quarantine;

    private readonly Func<DateTimeOffset, AudienceBound> _bound;

    private CompiledRule(string name, Evaluator evaluate, SnapshotParts reads, Func<DateTimeOffset, AudienceBound> bound, RuleLimits limits)
    {
        Name = name;
        _evaluate = evaluate;
        Reads = reads;
        _bound = bound;
        _limits = limits;
    }

    public string Name { get; }

    /// <summary>The parts of a customer snapshot the expression (with its params) reads; the rest need not be loaded.</summary>
    public SnapshotParts Reads { get; }

    /// <summary>A condition storage can select by that every customer the rule holds for at <paramref name="now"/> meets.</summary>
    public AudienceBound Bound(DateTimeOffset now) => _bound(now);

    /// <summary>Set when an evaluation went past the budget; the rule then never holds.</summary>
    public RuleQuarantine? Quarantine => Volatile.Read(ref _quarantine);

    /// <summary>Compiles the expression; throws <see cref="RuleCompileException"/> with the reason when it cannot run.</summary>
    public static CompiledRule Compile(string name, string expression, IEnumerable<ScopedParam> scopedParams, RuleLimits? limits = null)
    {
        var parser = new RuleExpressionParser(RuleCompilation.Settings());
        ParameterExpression[] facts =
        [
            Expression.Parameter(typeof(CustomerFacts), "customer"), Expression.Parameter(typeof(StatsFacts), "stats"),
            Expression.Parameter(typeof(CartFacts), "cart"), Expression.Parameter(typeof(EventFacts), "event"),
            Expression.Parameter(typeof(JourneyFacts), "journey"), Expression.Parameter(typeof(NowFacts), "now"),
        ];
        var budget = Expression.Parameter(typeof(RuleBudget), "budget");
        // Params see the facts and the params before them, as in RulesEngine: each becomes a local of one block.
        var scope = new List<ParameterExpression>(facts);
        var locals = new List<ParameterExpression>();
        var constants = new Dictionary<ParameterExpression, object?>();
        var body = new List<Expression>();
        foreach (var param in scopedParams)
        {
            var value = Parse(parser, param.Expression, scope, null, $"param '{param.Name}'");
            var local = Expression.Variable(value.Type, param.Name);
            body.Add(Expression.Assign(local, value));
            locals.Add(local);
            scope.Add(local);
            if (value is ConstantExpression constant) constants[local] = constant.Value;
        }
        var condition = Parse(parser, expression, scope, typeof(bool), null);
        body.Add(condition);
        var block = Expression.Block(typeof(bool), locals, body);
        var counted = Expression.Block(typeof(bool), Expression.Call(budget, nameof(RuleBudget.Step), null), new StepCounter(budget).Visit(block));
        var evaluate = Expression.Lambda<Evaluator>(counted, [.. facts, budget]).CompileFast();
        return new CompiledRule(name, evaluate, SnapshotPartsReader.Read(block), AudienceBoundReader.Read(condition, constants), limits ?? RuleLimits.Default);
    }

    private static Expression Parse(RuleExpressionParser parser, string text, List<ParameterExpression> scope, Type? type, string? part)
    {
        var where = part is null ? "" : $"{part}: ";
        if (text.Length > MaxLength) throw new RuleCompileException($"{where}is {text.Length:N0} characters long; an expression may have {MaxLength:N0}");
        if (Nesting(text) > MaxNesting) throw new RuleCompileException($"{where}nests brackets more than {MaxNesting} deep");
        Expression parsed;
        try
        {
            parsed = parser.Parse(text, [.. scope], type!);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new RuleCompileException($"{where}does not compile: {e.Message}");
        }
        if (parsed is LambdaExpression lambda) parsed = lambda.Body;
        return ExpressionAllowList.Problem(parsed) is { } refused ? throw new RuleCompileException(where + refused) : parsed;
    }

    /// <summary>How deep brackets nest outside string and character literals.</summary>
    private static int Nesting(string text)
    {
        int depth = 0, deepest = 0;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == '\\') i++;
                else if (c == quote) quote = null;
            }
            else if (c is '"' or '\'') quote = c;
            else if (c is '(' or '[' or '{') deepest = Math.Max(deepest, ++depth);
            else if (c is ')' or ']' or '}') depth--;
        }
        return deepest;
    }

    /// <summary>
    /// Evaluates the rule. An expression that throws does not hold, and says why; one that goes past the budget or
    /// runs out of memory is quarantined as well, and a quarantined rule does not hold without being run.
    /// </summary>
    /// <param name="now">When the evaluation happens, recorded with a quarantine.</param>
    public RuleResult Evaluate(Facts facts, DateTimeOffset now)
    {
        if (Quarantine is not null) return new RuleResult(false);
        try
        {
            return new RuleResult(_evaluate(facts.Customer, facts.Stats, facts.Cart, facts.Event, facts.Journey, facts.Now, new RuleBudget(_limits)));
        }
        catch (Exception e) when (e is RuleBudgetExceededException or OutOfMemoryException or InsufficientExecutionStackException)
        {
            var reason = e switch
            {
                RuleBudgetExceededException => e.Message,
                OutOfMemoryException => $"ran out of memory ({e.Message})",
                _ => $"ran out of stack ({e.Message})",
            };
            var quarantine = new RuleQuarantine(reason, facts.Customer.Id, now);
            var first = Interlocked.CompareExchange(ref _quarantine, quarantine, null) is null;
            return new RuleResult(false, $"quarantined: {reason}", first ? quarantine : null);
        }
        catch (Exception e)
        {
            return new RuleResult(false, e.Message);
        }
    }

    /// <summary>Counts a step on entering every lambda, so each item a LINQ method visits costs one.</summary>
    private sealed class StepCounter(ParameterExpression budget) : ExpressionVisitor
    {
        protected override Expression VisitLambda<T>(Expression<T> node) =>
            node.Update(Expression.Block(node.Body.Type, Expression.Call(budget, nameof(RuleBudget.Step), null), Visit(node.Body)), node.Parameters);
    }
}
