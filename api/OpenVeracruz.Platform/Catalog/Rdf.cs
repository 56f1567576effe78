using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>A node of an RDF graph: an IRI, a blank node or a literal.</summary>
public abstract record RdfTerm;

public sealed record RdfIri(string Value) : RdfTerm;

public sealed record RdfBlank(string Label) : RdfTerm;

/// <summary>A literal: plain, language-tagged (<see cref="Language"/>) or typed (<see cref="Datatype"/>, an absolute IRI).</summary>
public sealed record RdfLiteral(string Value, string? Language = null, string? Datatype = null) : RdfTerm;

public readonly record struct RdfTriple(RdfTerm Subject, RdfIri Predicate, RdfTerm Object);

/// <summary>
/// An in-memory set of triples in insertion order, with the prefixes its writers use. Predicates and classes are
/// given as prefixed names ("dct:title") or absolute IRIs; a triple added twice is kept once.
/// </summary>
public sealed class RdfGraph(IReadOnlyDictionary<string, string> prefixes)
{
    public const string RdfNs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string RdfType = RdfNs + "type";

    private readonly List<RdfTriple> _triples = [];
    private readonly HashSet<RdfTriple> _seen = [];
    private int _blanks;

    public IReadOnlyDictionary<string, string> Prefixes { get; } = prefixes;
    public IReadOnlyList<RdfTriple> Triples => _triples;

    /// <summary>"dct:title" → http://purl.org/dc/terms/title when "dct" is a known prefix; anything else is taken as an absolute IRI.</summary>
    public RdfIri Iri(string nameOrIri)
    {
        var colon = nameOrIri.IndexOf(':');
        return new RdfIri(EscapeIri(colon > 0 && Prefixes.TryGetValue(nameOrIri[..colon], out var ns) ? ns + nameOrIri[(colon + 1)..] : nameOrIri));
    }

    /// <summary>Spaces, controls and &lt;&gt;"{}|^`\ are not allowed in an IRI: they are percent-encoded, the same for every syntax.</summary>
    public static string EscapeIri(string iri)
    {
        static bool Forbidden(char c) => c <= ' ' || c is '<' or '>' or '"' or '{' or '}' or '|' or '^' or '`' or '\\';
        if (!iri.Any(Forbidden)) return iri;
        var sb = new StringBuilder(iri.Length + 8);
        foreach (var c in iri)
        {
            if (Forbidden(c)) sb.Append('%').Append(((int)c).ToString("X2")); // all forbidden characters are ASCII
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public RdfBlank Blank() => new($"b{++_blanks}");

    public void Add(RdfTerm subject, string predicate, RdfTerm obj)
    {
        var t = new RdfTriple(subject, Iri(predicate), obj);
        if (_seen.Add(t)) _triples.Add(t);
    }

    public void Type(RdfTerm subject, string cls) => Add(subject, "rdf:type", Iri(cls));

    /// <summary>A link to an IRI; nothing when the IRI is empty.</summary>
    public void Link(RdfTerm subject, string predicate, string? iri)
    {
        if (!string.IsNullOrWhiteSpace(iri)) Add(subject, predicate, Iri(iri));
    }

    /// <summary>A literal; nothing when the text is empty. Characters XML 1.0 cannot carry are dropped, so all syntaxes say the same.</summary>
    public void Text(RdfTerm subject, string predicate, string? text, string? language = null, string? datatype = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        Add(subject, predicate, new RdfLiteral(XmlSafe(text), language, datatype is null ? null : Iri(datatype).Value));
    }

    private static string XmlSafe(string text)
    {
        if (text.All(XmlConvert.IsXmlChar)) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i])) sb.Append(text[i]);
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i])) sb.Append(text, i++, 2);
        }
        return sb.ToString();
    }

    /// <summary>Subjects in order of first appearance, each with its triples.</summary>
    internal IEnumerable<IGrouping<RdfTerm, RdfTriple>> BySubject() => _triples.GroupBy(t => t.Subject);
}

/// <summary>One RDF syntax: its file extension, media type and writer.</summary>
public sealed record RdfSyntax(string Extension, string MediaType, Func<RdfGraph, string> Write)
{
    public static readonly RdfSyntax JsonLd = new("jsonld", "application/ld+json", RdfWriters.JsonLd);
    public static readonly RdfSyntax Turtle = new("ttl", "text/turtle", RdfWriters.Turtle);
    public static readonly RdfSyntax RdfXml = new("rdf", "application/rdf+xml", RdfWriters.RdfXml);
    public static readonly IReadOnlyList<RdfSyntax> All = [JsonLd, Turtle, RdfXml];
}

/// <summary>Serialises an <see cref="RdfGraph"/> as Turtle, RDF/XML or JSON-LD (flat, with an inline context: no remote fetch).</summary>
public static partial class RdfWriters
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex SimpleLocalName();

    /// <summary>The prefixed form of an IRI when one of the graph's prefixes covers it with a plain local name.</summary>
    private static string? Compact(RdfGraph g, string iri)
    {
        foreach (var (prefix, ns) in g.Prefixes)
            if (iri.Length > ns.Length && iri.StartsWith(ns, StringComparison.Ordinal) && SimpleLocalName().IsMatch(iri.AsSpan(ns.Length)))
                return $"{prefix}:{iri[ns.Length..]}";
        return null;
    }

    // ---------------------------------------------------------------- Turtle

    public static string Turtle(RdfGraph g)
    {
        var sb = new StringBuilder();
        foreach (var (prefix, ns) in g.Prefixes) sb.Append("@prefix ").Append(prefix).Append(": ").Append(TurtleIriRef(ns)).Append(" .\n");
        foreach (var subject in g.BySubject())
        {
            sb.Append('\n').Append(TurtleTerm(g, subject.Key));
            var first = true;
            foreach (var predicate in subject.GroupBy(t => t.Predicate))
            {
                sb.Append(first ? "\n    " : " ;\n    ");
                first = false;
                sb.Append(predicate.Key.Value == RdfGraph.RdfType ? "a" : TurtleTerm(g, predicate.Key)).Append(' ');
                sb.AppendJoin(",\n        ", predicate.Select(t => TurtleTerm(g, t.Object)));
            }
            sb.Append(" .\n");
        }
        return sb.ToString();
    }

    private static string TurtleTerm(RdfGraph g, RdfTerm term) => term switch
    {
        RdfIri i => Compact(g, i.Value) ?? TurtleIriRef(i.Value),
        RdfBlank b => "_:" + b.Label,
        RdfLiteral { Language: { } lang } l => TurtleString(l.Value) + "@" + lang,
        RdfLiteral { Datatype: { } dt } l => TurtleString(l.Value) + "^^" + (Compact(g, dt) ?? TurtleIriRef(dt)),
        RdfLiteral l => TurtleString(l.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(term)),
    };

    private static string TurtleIriRef(string iri) => "<" + RdfGraph.EscapeIri(iri) + ">";

    /// <summary>A "quoted" Turtle string: backslash, quote and control characters escaped; other characters as UTF-8.</summary>
    private static string TurtleString(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case < ' ' or '\u007F': sb.Append(@"\u").Append(((int)c).ToString("X4")); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    // ---------------------------------------------------------------- RDF/XML

    private sealed class Utf8StringWriter : StringWriter
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }

    public static string RdfXml(RdfGraph g)
    {
        // every predicate and node type needs a namespace prefix: the graph's own, then ns1, ns2… for the rest
        var namespaces = g.Prefixes.ToDictionary(p => p.Value, p => p.Key);
        string QName(string iri, out string ns)
        {
            var split = Math.Max(iri.LastIndexOf('#'), iri.LastIndexOf('/')) + 1;
            var local = iri[split..];
            ns = iri[..split];
            if (split == 0 || local.Length == 0 || !SimpleLocalName().IsMatch(local))
                throw new InvalidOperationException($"RDF/XML cannot name the property or class <{iri}>");
            if (!namespaces.ContainsKey(ns)) namespaces[ns] = $"ns{namespaces.Count + 1}";
            return local;
        }
        string? NodeType(IGrouping<RdfTerm, RdfTriple> s) =>
            s.FirstOrDefault(t => t.Predicate.Value == RdfGraph.RdfType && t.Object is RdfIri i && Compact(g, i.Value) is not null).Object is RdfIri type ? type.Value : null;
        var subjects = g.BySubject().ToList();
        foreach (var t in g.Triples) QName(t.Predicate.Value, out _);
        foreach (var s in subjects) if (NodeType(s) is { } t) QName(t, out _);

        using var text = new Utf8StringWriter();
        using (var x = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineHandling = NewLineHandling.Entitize }))
        {
            x.WriteStartDocument();
            x.WriteStartElement("rdf", "RDF", RdfGraph.RdfNs);
            foreach (var (ns, prefix) in namespaces.Where(n => n.Value != "rdf")) x.WriteAttributeString("xmlns", prefix, null, ns);
            foreach (var subject in subjects)
            {
                var type = NodeType(subject);
                if (type is null) x.WriteStartElement("rdf", "Description", RdfGraph.RdfNs);
                else
                {
                    var local = QName(type, out var ns);
                    x.WriteStartElement(namespaces[ns], local, ns);
                }
                NodeRef(x, subject.Key, "about");
                foreach (var t in subject)
                {
                    if (type is not null && t.Predicate.Value == RdfGraph.RdfType && t.Object is RdfIri i && i.Value == type) continue;
                    var local = QName(t.Predicate.Value, out var ns);
                    x.WriteStartElement(namespaces[ns], local, ns);
                    switch (t.Object)
                    {
                        case RdfLiteral l:
                            if (l.Language is not null) x.WriteAttributeString("xml", "lang", null, l.Language);
                            else if (l.Datatype is not null) x.WriteAttributeString("rdf", "datatype", RdfGraph.RdfNs, l.Datatype);
                            x.WriteString(l.Value);
                            break;
                        default:
                            NodeRef(x, t.Object, "resource");
                            break;
                    }
                    x.WriteEndElement();
                }
                x.WriteEndElement();
            }
            x.WriteEndElement();
            x.WriteEndDocument();
        }
        return text.ToString();
    }

    private static void NodeRef(XmlWriter x, RdfTerm node, string iriAttribute)
    {
        if (node is RdfIri i) x.WriteAttributeString("rdf", iriAttribute, RdfGraph.RdfNs, i.Value);
        else x.WriteAttributeString("rdf", "nodeID", RdfGraph.RdfNs, ((RdfBlank)node).Label);
    }

    // ---------------------------------------------------------------- JSON-LD

    /// <summary>Accents and ñ as UTF-8 text; JSON's own escaping of quotes, backslashes and control characters stays.</summary>
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string JsonLd(RdfGraph g)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("@context");
            foreach (var (prefix, ns) in g.Prefixes) w.WriteString(prefix, ns);
            w.WriteEndObject();
            w.WriteStartArray("@graph");
            foreach (var subject in g.BySubject())
            {
                w.WriteStartObject();
                w.WriteString("@id", NodeId(subject.Key));
                var types = subject.Where(t => t.Predicate.Value == RdfGraph.RdfType && t.Object is RdfIri).ToList();
                if (types.Count > 0)
                {
                    w.WriteStartArray("@type");
                    foreach (var t in types) w.WriteStringValue(Compact(g, ((RdfIri)t.Object).Value) ?? ((RdfIri)t.Object).Value);
                    w.WriteEndArray();
                }
                foreach (var predicate in subject.Except(types).GroupBy(t => t.Predicate))
                {
                    w.WriteStartArray(Compact(g, predicate.Key.Value) ?? predicate.Key.Value);
                    foreach (var t in predicate)
                    {
                        w.WriteStartObject();
                        if (t.Object is RdfLiteral l)
                        {
                            w.WriteString("@value", l.Value);
                            if (l.Language is not null) w.WriteString("@language", l.Language);
                            else if (l.Datatype is not null) w.WriteString("@type", Compact(g, l.Datatype) ?? l.Datatype);
                        }
                        else w.WriteString("@id", NodeId(t.Object));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string NodeId(RdfTerm node) => node switch
    {
        RdfIri i => i.Value,
        RdfBlank b => "_:" + b.Label,
        _ => throw new ArgumentOutOfRangeException(nameof(node), "a literal cannot be a node"),
    };
}
