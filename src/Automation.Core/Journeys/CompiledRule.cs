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
}

/// <summary>
/// One rule expression, with the global and local params before it, compiled once into a typed delegate by
/// RulesEngine's own expression parser (the same dynamic-LINQ dialect, custom types and sandbox as
/// <c>ExecuteAllRulesAsync</c>). Calling the delegate skips what RulesEngine does on every call — boxing the inputs,
/// looking up the cached workflow, building a result tree per rule — which is most of its cost.
/// </summary>
public sealed class CompiledRule
{
    private delegate bool Evaluator(CustomerFacts customer, StatsFacts stats, CartFacts cart, EventFacts @event, JourneyFacts journey, NowFacts now);

    private readonly Evaluator _evaluate;

    private CompiledRule(string name, Evaluator evaluate, SnapshotParts reads)
    {
        Name = name;
        _evaluate = evaluate;
        Reads = reads;
    }

    public string Name { get; }

    /// <summary>The parts of a customer snapshot the expression (with its params) reads; the rest need not be loaded.</summary>
    public SnapshotParts Reads { get; }

    /// <summary>Compiles the expression; throws (with the parser's reason) when it does not compile.</summary>
    public static CompiledRule Compile(string name, string expression, IEnumerable<ScopedParam> scopedParams)
    {
        var parser = new RuleExpressionParser(RuleCompilation.Settings());
        ParameterExpression[] facts =
        [
            Expression.Parameter(typeof(CustomerFacts), "customer"), Expression.Parameter(typeof(StatsFacts), "stats"),
            Expression.Parameter(typeof(CartFacts), "cart"), Expression.Parameter(typeof(EventFacts), "event"),
            Expression.Parameter(typeof(JourneyFacts), "journey"), Expression.Parameter(typeof(NowFacts), "now"),
        ];
        // Params see the facts and the params before them, as in RulesEngine: each becomes a local of one block.
        var scope = new List<ParameterExpression>(facts);
        var locals = new List<ParameterExpression>();
        var body = new List<Expression>();
        foreach (var param in scopedParams)
        {
            var value = BodyOf(parser.Parse(param.Expression, [.. scope], null!));
            var local = Expression.Variable(value.Type, param.Name);
            body.Add(Expression.Assign(local, value));
            locals.Add(local);
            scope.Add(local);
        }
        body.Add(BodyOf(parser.Parse(expression, [.. scope], typeof(bool))));
        var block = Expression.Block(typeof(bool), locals, body);
        return new CompiledRule(name, Expression.Lambda<Evaluator>(block, facts).CompileFast(), SnapshotPartsReader.Read(block));
    }

    private static Expression BodyOf(Expression parsed) => parsed is LambdaExpression lambda ? lambda.Body : parsed;

    /// <summary>True when the expression holds; an expression that throws does not hold, and says why.</summary>
    public bool Holds(Facts facts, out string? error)
    {
        try
        {
            error = null;
            return _evaluate(facts.Customer, facts.Stats, facts.Cart, facts.Event, facts.Journey, facts.Now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e.Message;
            return false;
        }
    }
}
