using System.Reflection;
using System.Reflection.Emit;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Tests.Architecture;

/// <summary>
/// The house's rules, read from the compiled platform: every type of OpenVeracruz.Platform.X(.…) belongs to folder X, and
/// what a folder may use of the others is written here. Every use counts — signatures, base types, fields, locals, and
/// every type, method and field the IL of a method body names (lambdas and async state machines included) — so a
/// helper borrowed sideways fails this test, not a review.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "OpenVeracruz.Platform";

    /// <summary>Folder → the other folders it may reference. A folder not listed here may reference only Shared.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        // infrastructure: Shared knows nothing of the rest; Data's context is partial, each feature adds its DbSets in its own part
        ["Shared"] = [],
        ["Data"] = ["Shared", "Auth", "Cadastre", "Catalog", "Appointments", "Wifi", "Tiles", "Maintenance", "Payments"],
        ["Hosting"] = ["Shared"],
        ["Jobs"] = ["Shared", "Data", "Auth"],
        // features
        ["Auth"] = ["Shared", "Data"],
        ["Layers"] = ["Shared", "Data"],
        ["Cadastre"] = ["Shared", "Data", "Auth", "Layers", "Tiles"], // an approved edit or a repricing invalidates the parcels' cached tiles it touches
        ["Catalog"] = ["Shared", "Data", "Auth", "Layers", "Jobs"],
        ["Downloads"] = ["Shared", "Data", "Layers"],
        ["Ogc"] = ["Shared", "Data", "Layers", "Tiles"], // the tiles' conformance classes and links in the Features documents
        ["Tiles"] = ["Shared", "Data", "Layers"],
        ["OData"] = ["Shared", "Data", "Layers"],
        ["Appointments"] = ["Shared", "Data", "Auth", "Layers", "Jobs"], // parcels (a clave's location) only through the public layer registry
        ["Wifi"] = ["Shared", "Data", "Auth", "Jobs", "Maintenance"], // opens tickets for failing sites; Maintenance knows nothing of WiFi
        ["Maintenance"] = ["Shared", "Data", "Auth", "Jobs"],
        ["Payments"] = ["Shared", "Data", "Auth", "Jobs", "Maintenance"], // parcels read by SQL (cadastre.parcels), not through Cadastre's types; a kiosk's fault opens its ticket, Maintenance knows nothing of Payments
    };

    [Fact]
    public void Folders_reference_only_what_the_house_allows()
    {
        var violations = References(typeof(AppDbContext).Assembly)
            .Where(r => r.From != r.To && !(Allowed.TryGetValue(r.From, out var ok) ? ok : ["Shared"]).Contains(r.To))
            .Select(r => $"{r.From} → {r.To}: {r.Where} uses {r.What}")
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(violations.Count == 0, "Forbidden references between folders (move the shared piece to Shared/, or allow it here with a reason):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_feature_folder_has_its_feature_file()
    {
        var features = typeof(AppDbContext).Assembly.GetTypes().Select(t => Folder(t)).OfType<string>()
            .Where(f => f is not ("Shared" or "Data")).Distinct().ToList();
        var registrations = typeof(AppDbContext).Assembly.GetTypes().Where(t => t.IsClass && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Feature", StringComparison.Ordinal))
            .Select(Folder).ToHashSet();
        var missing = features.Where(f => !registrations.Contains(f)).ToList();
        Assert.True(missing.Count == 0, "Feature folders without an XFeature class (AddX/MapX): " + string.Join(", ", missing));
    }

    [Fact]
    public void The_checker_sees_uses_inside_method_bodies()
    {
        // a use that only the IL of a lambda shows: the rule above would miss a sideways call without this
        var refs = References(typeof(AppDbContext).Assembly).Where(r => r.From == "Ogc").Select(r => r.To).ToHashSet();
        Assert.Contains("Layers", refs);
        Assert.Contains("Shared", refs);
    }

    private sealed record Reference(string From, string To, string Where, string What);

    private static string? Folder(Type? t)
    {
        while (t?.DeclaringType is not null) t = t.DeclaringType;
        var ns = t?.Namespace;
        if (ns is null || !ns.StartsWith(Root + ".", StringComparison.Ordinal)) return null;
        return ns[(Root.Length + 1)..].Split('.')[0];
    }

    private static IEnumerable<Reference> References(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (Folder(type) is not { } from) continue;
            var found = new List<(Type Type, string Where)>();
            void Add(Type? t, string where)
            {
                if (t is null) return;
                if (t.HasElementType) { Add(t.GetElementType(), where); return; }
                if (t.IsGenericType && !t.IsGenericTypeDefinition)
                    foreach (var a in t.GetGenericArguments()) Add(a, where);
                if (!t.IsGenericParameter) found.Add((t.IsGenericType ? t.GetGenericTypeDefinition() : t, where));
            }
            Add(type.BaseType, type.FullName!);
            foreach (var i in type.GetInterfaces()) Add(i, type.FullName!);
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var f in type.GetFields(all)) Add(f.FieldType, $"{type.FullName}.{f.Name}");
            foreach (var p in type.GetProperties(all)) Add(p.PropertyType, $"{type.FullName}.{p.Name}");
            foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                var where = $"{type.FullName}.{m.Name}";
                if (m is MethodInfo mi) Add(mi.ReturnType, where);
                foreach (var p in m.GetParameters()) Add(p.ParameterType, where);
                var body = m.GetMethodBody();
                if (body is null) continue;
                foreach (var local in body.LocalVariables) Add(local.LocalType, where);
                foreach (var member in MembersIn(m, body.GetILAsByteArray() ?? []))
                    switch (member)
                    {
                        case Type t: Add(t, where); break;
                        case MethodBase callee:
                            Add(callee.DeclaringType, where);
                            if (callee is MethodInfo c) { Add(c.ReturnType, where); foreach (var g in c.IsGenericMethod ? c.GetGenericArguments() : []) Add(g, where); }
                            break;
                        case FieldInfo field: Add(field.DeclaringType, where); Add(field.FieldType, where); break;
                    }
            }
            foreach (var (t, where) in found)
                if (Folder(t) is { } to) yield return new Reference(from, to, where, t.FullName ?? t.Name);
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types, methods and fields named by a method body's IL (operands that are metadata tokens).</summary>
    private static IEnumerable<MemberInfo> MembersIn(MethodBase method, byte[] il)
    {
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var pos = 0; pos < il.Length;)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, pos);
                    MemberInfo? member = null;
                    try { member = method.Module.ResolveMember(token, typeArgs, methodArgs); }
                    catch (ArgumentException) { } // a member of another assembly that cannot be resolved generically: not ours
                    if (member is not null) yield return member;
                    pos += 4;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: pos += 1; break;
                case OperandType.InlineVar: pos += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: pos += 8; break;
                case OperandType.InlineSwitch: pos += 4 + 4 * BitConverter.ToInt32(il, pos); break;
                default: pos += 4; break; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
            }
        }
    }
}
