export const id = 695;
export const ids = [695];
export const modules = {

/***/ 6214:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
// https://mathiasbynens.be/notes/javascript-encoding
// https://github.com/bestiejs/punycode.js - punycode.ucs2.decode
function ucs2length(str) {
    const len = str.length;
    let length = 0;
    let pos = 0;
    let value;
    while (pos < len) {
        length++;
        value = str.charCodeAt(pos++);
        if (value >= 0xd800 && value <= 0xdbff && pos < len) {
            // high surrogate, and there is a next character
            value = str.charCodeAt(pos);
            if ((value & 0xfc00) === 0xdc00)
                pos++; // low surrogate
        }
    }
    return length;
}
exports["default"] = ucs2length;
ucs2length.code = 'require("ajv/dist/runtime/ucs2length").default';
//# sourceMappingURL=ucs2length.js.map

/***/ }),

/***/ 2695:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   metaSchema: () => (/* binding */ metaSchema),
/* harmony export */   metaSchemaId: () => (/* binding */ metaSchemaId),
/* harmony export */   packFile: () => (/* binding */ packFile),
/* harmony export */   relationSpec: () => (/* binding */ relationSpec),
/* harmony export */   ruleFile: () => (/* binding */ ruleFile)
/* harmony export */ });
/* harmony import */ var ajv_dist_runtime_equal_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4951);
/* harmony import */ var ajv_dist_runtime_ucs2length_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6214);
/* harmony import */ var _model_regex_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(982);



// What `require` gives: Node hands a CommonJS module its `exports`, a bundle may hand its default export.
const commonJs = m => (typeof m === 'function' ? { default: m } : m);
const once = make => { let made; return () => (made ??= make()); };
// Each pattern is compiled when it is first matched, not when its validator is made: RE2 accepted
// every one of them when this file was made, and a run seldom matches them all.
const linearRegExp = (source, flags) => { let re; return { test: text => (re ??= (0,_model_regex_js__WEBPACK_IMPORTED_MODULE_0__/* .linearRegExp */ .V)(source, flags)).test(text), toString: () => `/${source}/${flags}` }; };
const ruleSchemas = once(() => {
    const module = { exports: {} };
    const exports = module.exports;
    exports.metaSchema = validate0;
    const schema0 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/schema", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/core": true, "https://json-schema.org/draft/2020-12/vocab/applicator": true, "https://json-schema.org/draft/2020-12/vocab/unevaluated": true, "https://json-schema.org/draft/2020-12/vocab/validation": true, "https://json-schema.org/draft/2020-12/vocab/meta-data": true, "https://json-schema.org/draft/2020-12/vocab/format-annotation": true, "https://json-schema.org/draft/2020-12/vocab/content": true }, "$dynamicAnchor": "meta", "title": "Core and Validation specifications meta-schema", "allOf": [{ "$ref": "meta/core" }, { "$ref": "meta/applicator" }, { "$ref": "meta/unevaluated" }, { "$ref": "meta/validation" }, { "$ref": "meta/meta-data" }, { "$ref": "meta/format-annotation" }, { "$ref": "meta/content" }], "type": ["object", "boolean"], "$comment": "This meta-schema also defines keywords that have appeared in previous drafts in order to prevent incompatible extensions as they remain in common use.", "properties": { "definitions": { "$comment": "\"definitions\" has been replaced by \"$defs\".", "type": "object", "additionalProperties": { "$dynamicRef": "#meta" }, "deprecated": true, "default": {} }, "dependencies": { "$comment": "\"dependencies\" has been split and replaced by \"dependentSchemas\" and \"dependentRequired\" in order to serve their differing semantics.", "type": "object", "additionalProperties": { "anyOf": [{ "$dynamicRef": "#meta" }, { "$ref": "meta/validation#/$defs/stringArray" }] }, "deprecated": true, "default": {} }, "$recursiveAnchor": { "$comment": "\"$recursiveAnchor\" has been replaced by \"$dynamicAnchor\".", "$ref": "meta/core#/$defs/anchorString", "deprecated": true }, "$recursiveRef": { "$comment": "\"$recursiveRef\" has been replaced by \"$dynamicRef\".", "$ref": "meta/core#/$defs/uriReferenceString", "deprecated": true } } };
    const schema23 = { "type": "array", "items": { "type": "string" }, "uniqueItems": true, "default": [] };
    const schema5 = { "type": "string", "pattern": "^[A-Za-z_][-A-Za-z0-9._]*$" };
    const schema2 = { "type": "string", "format": "uri-reference" };
    const schema1 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/meta/core", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/core": true }, "$dynamicAnchor": "meta", "title": "Core vocabulary meta-schema", "type": ["object", "boolean"], "properties": { "$id": { "$ref": "#/$defs/uriReferenceString", "$comment": "Non-empty fragments not allowed.", "pattern": "^[^#]*#?$" }, "$schema": { "$ref": "#/$defs/uriString" }, "$ref": { "$ref": "#/$defs/uriReferenceString" }, "$anchor": { "$ref": "#/$defs/anchorString" }, "$dynamicRef": { "$ref": "#/$defs/uriReferenceString" }, "$dynamicAnchor": { "$ref": "#/$defs/anchorString" }, "$vocabulary": { "type": "object", "propertyNames": { "$ref": "#/$defs/uriString" }, "additionalProperties": { "type": "boolean" } }, "$comment": { "type": "string" }, "$defs": { "type": "object", "additionalProperties": { "$dynamicRef": "#meta" } } }, "$defs": { "anchorString": { "type": "string", "pattern": "^[A-Za-z_][-A-Za-z0-9._]*$" }, "uriString": { "type": "string", "format": "uri" }, "uriReferenceString": { "type": "string", "format": "uri-reference" } } };
    const schema3 = { "type": "string", "format": "uri" };
    const func0 = Object.prototype.hasOwnProperty;
    const func1 = linearRegExp;
    const pattern0 = func1("^[^#]*#?$", "u");
    const pattern1 = func1("^[A-Za-z_][-A-Za-z0-9._]*$", "u");
    function validate1(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/meta/core" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate1.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema1.type }, message: "must be object,boolean", schema: schema1.type, parentSchema: schema1, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate1;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.$id !== undefined && func0.call(data, "$id")) {
            let data0 = data.$id;
            if (!(typeof data0 === "string")) {
                const err1 = { instancePath: instancePath + "/$id", schemaPath: "#/$defs/uriReferenceString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema2.type, parentSchema: schema2, data: data0 };
                if (vErrors === null) {
                    vErrors = [err1];
                }
                else {
                    vErrors.push(err1);
                }
                errors++;
            }
            if (typeof data0 === "string") {
                if (!pattern0.test(data0)) {
                    const err2 = { instancePath: instancePath + "/$id", schemaPath: "#/properties/%24id/pattern", keyword: "pattern", params: { pattern: "^[^#]*#?$" }, message: "must match pattern \"" + "^[^#]*#?$" + "\"", schema: "^[^#]*#?$", parentSchema: schema1.properties.$id, data: data0 };
                    if (vErrors === null) {
                        vErrors = [err2];
                    }
                    else {
                        vErrors.push(err2);
                    }
                    errors++;
                }
            }
        }
        if (data.$schema !== undefined && func0.call(data, "$schema")) {
            let data1 = data.$schema;
            if (!(typeof data1 === "string")) {
                const err3 = { instancePath: instancePath + "/$schema", schemaPath: "#/$defs/uriString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema3.type, parentSchema: schema3, data: data1 };
                if (vErrors === null) {
                    vErrors = [err3];
                }
                else {
                    vErrors.push(err3);
                }
                errors++;
            }
        }
        if (data.$ref !== undefined && func0.call(data, "$ref")) {
            let data2 = data.$ref;
            if (!(typeof data2 === "string")) {
                const err4 = { instancePath: instancePath + "/$ref", schemaPath: "#/$defs/uriReferenceString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema2.type, parentSchema: schema2, data: data2 };
                if (vErrors === null) {
                    vErrors = [err4];
                }
                else {
                    vErrors.push(err4);
                }
                errors++;
            }
        }
        if (data.$anchor !== undefined && func0.call(data, "$anchor")) {
            let data3 = data.$anchor;
            if (typeof data3 === "string") {
                if (!pattern1.test(data3)) {
                    const err5 = { instancePath: instancePath + "/$anchor", schemaPath: "#/$defs/anchorString/pattern", keyword: "pattern", params: { pattern: "^[A-Za-z_][-A-Za-z0-9._]*$" }, message: "must match pattern \"" + "^[A-Za-z_][-A-Za-z0-9._]*$" + "\"", schema: "^[A-Za-z_][-A-Za-z0-9._]*$", parentSchema: schema5, data: data3 };
                    if (vErrors === null) {
                        vErrors = [err5];
                    }
                    else {
                        vErrors.push(err5);
                    }
                    errors++;
                }
            }
            else {
                const err6 = { instancePath: instancePath + "/$anchor", schemaPath: "#/$defs/anchorString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema5.type, parentSchema: schema5, data: data3 };
                if (vErrors === null) {
                    vErrors = [err6];
                }
                else {
                    vErrors.push(err6);
                }
                errors++;
            }
        }
        if (data.$dynamicRef !== undefined && func0.call(data, "$dynamicRef")) {
            let data4 = data.$dynamicRef;
            if (!(typeof data4 === "string")) {
                const err7 = { instancePath: instancePath + "/$dynamicRef", schemaPath: "#/$defs/uriReferenceString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema2.type, parentSchema: schema2, data: data4 };
                if (vErrors === null) {
                    vErrors = [err7];
                }
                else {
                    vErrors.push(err7);
                }
                errors++;
            }
        }
        if (data.$dynamicAnchor !== undefined && func0.call(data, "$dynamicAnchor")) {
            let data5 = data.$dynamicAnchor;
            if (typeof data5 === "string") {
                if (!pattern1.test(data5)) {
                    const err8 = { instancePath: instancePath + "/$dynamicAnchor", schemaPath: "#/$defs/anchorString/pattern", keyword: "pattern", params: { pattern: "^[A-Za-z_][-A-Za-z0-9._]*$" }, message: "must match pattern \"" + "^[A-Za-z_][-A-Za-z0-9._]*$" + "\"", schema: "^[A-Za-z_][-A-Za-z0-9._]*$", parentSchema: schema5, data: data5 };
                    if (vErrors === null) {
                        vErrors = [err8];
                    }
                    else {
                        vErrors.push(err8);
                    }
                    errors++;
                }
            }
            else {
                const err9 = { instancePath: instancePath + "/$dynamicAnchor", schemaPath: "#/$defs/anchorString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema5.type, parentSchema: schema5, data: data5 };
                if (vErrors === null) {
                    vErrors = [err9];
                }
                else {
                    vErrors.push(err9);
                }
                errors++;
            }
        }
        if (data.$vocabulary !== undefined && func0.call(data, "$vocabulary")) {
            let data6 = data.$vocabulary;
            if (data6 && typeof data6 == "object" && !Array.isArray(data6)) {
                for (const key0 of Object.keys(data6)) {
                    const _errs22 = errors;
                    if (!(typeof key0 === "string")) {
                        const err10 = { instancePath: instancePath + "/$vocabulary", schemaPath: "#/$defs/uriString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema3.type, parentSchema: schema3, data: key0, propertyName: key0 };
                        if (vErrors === null) {
                            vErrors = [err10];
                        }
                        else {
                            vErrors.push(err10);
                        }
                        errors++;
                    }
                    var valid7 = _errs22 === errors;
                    if (!valid7) {
                        const err11 = { instancePath: instancePath + "/$vocabulary", schemaPath: "#/properties/%24vocabulary/propertyNames", keyword: "propertyNames", params: { propertyName: key0 }, message: "property name must be valid", schema: schema1.properties.$vocabulary.propertyNames, parentSchema: schema1.properties.$vocabulary, data: data6 };
                        if (vErrors === null) {
                            vErrors = [err11];
                        }
                        else {
                            vErrors.push(err11);
                        }
                        errors++;
                    }
                }
                for (const key1 of Object.keys(data6)) {
                    let data7 = data6[key1];
                    if (typeof data7 !== "boolean") {
                        const err12 = { instancePath: instancePath + "/$vocabulary/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"), schemaPath: "#/properties/%24vocabulary/additionalProperties/type", keyword: "type", params: { type: "boolean" }, message: "must be boolean", schema: schema1.properties.$vocabulary.additionalProperties.type, parentSchema: schema1.properties.$vocabulary.additionalProperties, data: data7 };
                        if (vErrors === null) {
                            vErrors = [err12];
                        }
                        else {
                            vErrors.push(err12);
                        }
                        errors++;
                    }
                }
            }
            else {
                const err13 = { instancePath: instancePath + "/$vocabulary", schemaPath: "#/properties/%24vocabulary/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema1.properties.$vocabulary.type, parentSchema: schema1.properties.$vocabulary, data: data6 };
                if (vErrors === null) {
                    vErrors = [err13];
                }
                else {
                    vErrors.push(err13);
                }
                errors++;
            }
        }
        if (data.$comment !== undefined && func0.call(data, "$comment")) {
            let data8 = data.$comment;
            if (typeof data8 !== "string") {
                const err14 = { instancePath: instancePath + "/$comment", schemaPath: "#/properties/%24comment/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema1.properties.$comment.type, parentSchema: schema1.properties.$comment, data: data8 };
                if (vErrors === null) {
                    vErrors = [err14];
                }
                else {
                    vErrors.push(err14);
                }
                errors++;
            }
        }
        if (data.$defs !== undefined && func0.call(data, "$defs")) {
            let data9 = data.$defs;
            if (data9 && typeof data9 == "object" && !Array.isArray(data9)) {
                for (const key2 of Object.keys(data9)) {
                    let data10 = data9[key2];
                    let _v0 = dynamicAnchors.meta;
                    if (_v0) {
                        if (!(_v0(data10, { instancePath: instancePath + "/$defs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data9, parentDataProperty: key2, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? _v0.errors : vErrors.concat(_v0.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props0 = _v0.evaluated.props;
                            var items0 = _v0.evaluated.items;
                        }
                    }
                    else {
                        if (!(validate1(data10, { instancePath: instancePath + "/$defs/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data9, parentDataProperty: key2, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? validate1.errors : vErrors.concat(validate1.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props1 = validate1.evaluated.props;
                            if (props0 !== true && props1 !== undefined) {
                                if (props1 === true) {
                                    props0 = true;
                                }
                                else {
                                    props0 = props0 || {};
                                    Object.assign(props0, props1);
                                }
                            }
                            var items1 = validate1.evaluated.items;
                            if (items0 !== true && items1 !== undefined) {
                                items0 = items1 === true ? true : items0 > items1 ? items0 : items1;
                            }
                        }
                    }
                }
            }
            else {
                const err15 = { instancePath: instancePath + "/$defs", schemaPath: "#/properties/%24defs/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema1.properties.$defs.type, parentSchema: schema1.properties.$defs, data: data9 };
                if (vErrors === null) {
                    vErrors = [err15];
                }
                else {
                    vErrors.push(err15);
                }
                errors++;
            }
        }
    } validate1.errors = vErrors; return errors === 0; }
    validate1.evaluated = { "props": { "$id": true, "$schema": true, "$ref": true, "$anchor": true, "$dynamicRef": true, "$dynamicAnchor": true, "$vocabulary": true, "$comment": true, "$defs": true }, "dynamicProps": false, "dynamicItems": false };
    const schema9 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/meta/applicator", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/applicator": true }, "$dynamicAnchor": "meta", "title": "Applicator vocabulary meta-schema", "type": ["object", "boolean"], "properties": { "prefixItems": { "$ref": "#/$defs/schemaArray" }, "items": { "$dynamicRef": "#meta" }, "contains": { "$dynamicRef": "#meta" }, "additionalProperties": { "$dynamicRef": "#meta" }, "properties": { "type": "object", "additionalProperties": { "$dynamicRef": "#meta" }, "default": {} }, "patternProperties": { "type": "object", "additionalProperties": { "$dynamicRef": "#meta" }, "propertyNames": { "format": "regex" }, "default": {} }, "dependentSchemas": { "type": "object", "additionalProperties": { "$dynamicRef": "#meta" }, "default": {} }, "propertyNames": { "$dynamicRef": "#meta" }, "if": { "$dynamicRef": "#meta" }, "then": { "$dynamicRef": "#meta" }, "else": { "$dynamicRef": "#meta" }, "allOf": { "$ref": "#/$defs/schemaArray" }, "anyOf": { "$ref": "#/$defs/schemaArray" }, "oneOf": { "$ref": "#/$defs/schemaArray" }, "not": { "$dynamicRef": "#meta" } }, "$defs": { "schemaArray": { "type": "array", "minItems": 1, "items": { "$dynamicRef": "#meta" } } } };
    const schema10 = { "type": "array", "minItems": 1, "items": { "$dynamicRef": "#meta" } };
    function validate4(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { let vErrors = null; let errors = 0; const evaluated0 = validate4.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if (Array.isArray(data)) {
        if (data.length < 1) {
            const err0 = { instancePath, schemaPath: "#/minItems", keyword: "minItems", params: { limit: 1 }, message: "must NOT have fewer than 1 items", schema: 1, parentSchema: schema10, data };
            if (vErrors === null) {
                vErrors = [err0];
            }
            else {
                vErrors.push(err0);
            }
            errors++;
        }
        const len0 = data.length;
        for (let i0 = 0; i0 < len0; i0++) {
            let data0 = data[i0];
            let _v0 = dynamicAnchors.meta;
            if (_v0) {
                if (!(_v0(data0, { instancePath: instancePath + "/" + i0, parentData: data, parentDataProperty: i0, rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v0.errors : vErrors.concat(_v0.errors);
                    errors = vErrors.length;
                }
                else {
                    var props0 = _v0.evaluated.props;
                    var items0 = _v0.evaluated.items;
                }
            }
            else {
                if (!(validate4(data0, { instancePath: instancePath + "/" + i0, parentData: data, parentDataProperty: i0, rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate4.errors : vErrors.concat(validate4.errors);
                    errors = vErrors.length;
                }
                else {
                    var props1 = validate4.evaluated.props;
                    if (props0 !== true && props1 !== undefined) {
                        if (props1 === true) {
                            props0 = true;
                        }
                        else {
                            props0 = props0 || {};
                            Object.assign(props0, props1);
                        }
                    }
                    var items1 = validate4.evaluated.items;
                    if (items0 !== true && items1 !== undefined) {
                        items0 = items1 === true ? true : items0 > items1 ? items0 : items1;
                    }
                }
            }
        }
    }
    else {
        const err1 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema10.type, parentSchema: schema10, data };
        if (vErrors === null) {
            vErrors = [err1];
        }
        else {
            vErrors.push(err1);
        }
        errors++;
    } validate4.errors = vErrors; return errors === 0; }
    validate4.evaluated = { "items": true, "dynamicProps": false, "dynamicItems": false };
    function validate3(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/meta/applicator" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate3.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema9.type }, message: "must be object,boolean", schema: schema9.type, parentSchema: schema9, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate3;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.prefixItems !== undefined && func0.call(data, "prefixItems")) {
            if (!(validate4(data.prefixItems, { instancePath: instancePath + "/prefixItems", parentData: data, parentDataProperty: "prefixItems", rootData, dynamicAnchors }))) {
                vErrors = vErrors === null ? validate4.errors : vErrors.concat(validate4.errors);
                errors = vErrors.length;
            }
        }
        if (data.items !== undefined && func0.call(data, "items")) {
            let data1 = data.items;
            let _v0 = dynamicAnchors.meta;
            if (_v0) {
                if (!(_v0(data1, { instancePath: instancePath + "/items", parentData: data, parentDataProperty: "items", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v0.errors : vErrors.concat(_v0.errors);
                    errors = vErrors.length;
                }
                else {
                    var props0 = _v0.evaluated.props;
                    var items0 = _v0.evaluated.items;
                }
            }
            else {
                if (!(validate3(data1, { instancePath: instancePath + "/items", parentData: data, parentDataProperty: "items", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props1 = validate3.evaluated.props;
                    if (props0 !== true && props1 !== undefined) {
                        if (props1 === true) {
                            props0 = true;
                        }
                        else {
                            props0 = props0 || {};
                            Object.assign(props0, props1);
                        }
                    }
                    var items1 = validate3.evaluated.items;
                    if (items0 !== true && items1 !== undefined) {
                        items0 = items1 === true ? true : items0 > items1 ? items0 : items1;
                    }
                }
            }
        }
        if (data.contains !== undefined && func0.call(data, "contains")) {
            let data2 = data.contains;
            let _v1 = dynamicAnchors.meta;
            if (_v1) {
                if (!(_v1(data2, { instancePath: instancePath + "/contains", parentData: data, parentDataProperty: "contains", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v1.errors : vErrors.concat(_v1.errors);
                    errors = vErrors.length;
                }
                else {
                    var props2 = _v1.evaluated.props;
                    var items2 = _v1.evaluated.items;
                }
            }
            else {
                if (!(validate3(data2, { instancePath: instancePath + "/contains", parentData: data, parentDataProperty: "contains", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props3 = validate3.evaluated.props;
                    if (props2 !== true && props3 !== undefined) {
                        if (props3 === true) {
                            props2 = true;
                        }
                        else {
                            props2 = props2 || {};
                            Object.assign(props2, props3);
                        }
                    }
                    var items3 = validate3.evaluated.items;
                    if (items2 !== true && items3 !== undefined) {
                        items2 = items3 === true ? true : items2 > items3 ? items2 : items3;
                    }
                }
            }
        }
        if (data.additionalProperties !== undefined && func0.call(data, "additionalProperties")) {
            let data3 = data.additionalProperties;
            let _v2 = dynamicAnchors.meta;
            if (_v2) {
                if (!(_v2(data3, { instancePath: instancePath + "/additionalProperties", parentData: data, parentDataProperty: "additionalProperties", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v2.errors : vErrors.concat(_v2.errors);
                    errors = vErrors.length;
                }
                else {
                    var props4 = _v2.evaluated.props;
                    var items4 = _v2.evaluated.items;
                }
            }
            else {
                if (!(validate3(data3, { instancePath: instancePath + "/additionalProperties", parentData: data, parentDataProperty: "additionalProperties", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props5 = validate3.evaluated.props;
                    if (props4 !== true && props5 !== undefined) {
                        if (props5 === true) {
                            props4 = true;
                        }
                        else {
                            props4 = props4 || {};
                            Object.assign(props4, props5);
                        }
                    }
                    var items5 = validate3.evaluated.items;
                    if (items4 !== true && items5 !== undefined) {
                        items4 = items5 === true ? true : items4 > items5 ? items4 : items5;
                    }
                }
            }
        }
        if (data.properties !== undefined && func0.call(data, "properties")) {
            let data4 = data.properties;
            if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
                for (const key0 of Object.keys(data4)) {
                    let data5 = data4[key0];
                    let _v3 = dynamicAnchors.meta;
                    if (_v3) {
                        if (!(_v3(data5, { instancePath: instancePath + "/properties/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data4, parentDataProperty: key0, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? _v3.errors : vErrors.concat(_v3.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props6 = _v3.evaluated.props;
                            var items6 = _v3.evaluated.items;
                        }
                    }
                    else {
                        if (!(validate3(data5, { instancePath: instancePath + "/properties/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data4, parentDataProperty: key0, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props7 = validate3.evaluated.props;
                            if (props6 !== true && props7 !== undefined) {
                                if (props7 === true) {
                                    props6 = true;
                                }
                                else {
                                    props6 = props6 || {};
                                    Object.assign(props6, props7);
                                }
                            }
                            var items7 = validate3.evaluated.items;
                            if (items6 !== true && items7 !== undefined) {
                                items6 = items7 === true ? true : items6 > items7 ? items6 : items7;
                            }
                        }
                    }
                }
            }
            else {
                const err1 = { instancePath: instancePath + "/properties", schemaPath: "#/properties/properties/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema9.properties.properties.type, parentSchema: schema9.properties.properties, data: data4 };
                if (vErrors === null) {
                    vErrors = [err1];
                }
                else {
                    vErrors.push(err1);
                }
                errors++;
            }
        }
        if (data.patternProperties !== undefined && func0.call(data, "patternProperties")) {
            let data6 = data.patternProperties;
            if (data6 && typeof data6 == "object" && !Array.isArray(data6)) {
                for (const key1 of Object.keys(data6)) {
                    const _errs11 = errors;
                    var valid2 = _errs11 === errors;
                    if (!valid2) {
                        const err2 = { instancePath: instancePath + "/patternProperties", schemaPath: "#/properties/patternProperties/propertyNames", keyword: "propertyNames", params: { propertyName: key1 }, message: "property name must be valid", schema: schema9.properties.patternProperties.propertyNames, parentSchema: schema9.properties.patternProperties, data: data6 };
                        if (vErrors === null) {
                            vErrors = [err2];
                        }
                        else {
                            vErrors.push(err2);
                        }
                        errors++;
                    }
                }
                for (const key2 of Object.keys(data6)) {
                    let data7 = data6[key2];
                    let _v4 = dynamicAnchors.meta;
                    if (_v4) {
                        if (!(_v4(data7, { instancePath: instancePath + "/patternProperties/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data6, parentDataProperty: key2, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? _v4.errors : vErrors.concat(_v4.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props8 = _v4.evaluated.props;
                            var items8 = _v4.evaluated.items;
                        }
                    }
                    else {
                        if (!(validate3(data7, { instancePath: instancePath + "/patternProperties/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data6, parentDataProperty: key2, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props9 = validate3.evaluated.props;
                            if (props8 !== true && props9 !== undefined) {
                                if (props9 === true) {
                                    props8 = true;
                                }
                                else {
                                    props8 = props8 || {};
                                    Object.assign(props8, props9);
                                }
                            }
                            var items9 = validate3.evaluated.items;
                            if (items8 !== true && items9 !== undefined) {
                                items8 = items9 === true ? true : items8 > items9 ? items8 : items9;
                            }
                        }
                    }
                }
            }
            else {
                const err3 = { instancePath: instancePath + "/patternProperties", schemaPath: "#/properties/patternProperties/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema9.properties.patternProperties.type, parentSchema: schema9.properties.patternProperties, data: data6 };
                if (vErrors === null) {
                    vErrors = [err3];
                }
                else {
                    vErrors.push(err3);
                }
                errors++;
            }
        }
        if (data.dependentSchemas !== undefined && func0.call(data, "dependentSchemas")) {
            let data8 = data.dependentSchemas;
            if (data8 && typeof data8 == "object" && !Array.isArray(data8)) {
                for (const key3 of Object.keys(data8)) {
                    let data9 = data8[key3];
                    let _v5 = dynamicAnchors.meta;
                    if (_v5) {
                        if (!(_v5(data9, { instancePath: instancePath + "/dependentSchemas/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data8, parentDataProperty: key3, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? _v5.errors : vErrors.concat(_v5.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props10 = _v5.evaluated.props;
                            var items10 = _v5.evaluated.items;
                        }
                    }
                    else {
                        if (!(validate3(data9, { instancePath: instancePath + "/dependentSchemas/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data8, parentDataProperty: key3, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props11 = validate3.evaluated.props;
                            if (props10 !== true && props11 !== undefined) {
                                if (props11 === true) {
                                    props10 = true;
                                }
                                else {
                                    props10 = props10 || {};
                                    Object.assign(props10, props11);
                                }
                            }
                            var items11 = validate3.evaluated.items;
                            if (items10 !== true && items11 !== undefined) {
                                items10 = items11 === true ? true : items10 > items11 ? items10 : items11;
                            }
                        }
                    }
                }
            }
            else {
                const err4 = { instancePath: instancePath + "/dependentSchemas", schemaPath: "#/properties/dependentSchemas/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema9.properties.dependentSchemas.type, parentSchema: schema9.properties.dependentSchemas, data: data8 };
                if (vErrors === null) {
                    vErrors = [err4];
                }
                else {
                    vErrors.push(err4);
                }
                errors++;
            }
        }
        if (data.propertyNames !== undefined && func0.call(data, "propertyNames")) {
            let data10 = data.propertyNames;
            let _v6 = dynamicAnchors.meta;
            if (_v6) {
                if (!(_v6(data10, { instancePath: instancePath + "/propertyNames", parentData: data, parentDataProperty: "propertyNames", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v6.errors : vErrors.concat(_v6.errors);
                    errors = vErrors.length;
                }
                else {
                    var props12 = _v6.evaluated.props;
                    var items12 = _v6.evaluated.items;
                }
            }
            else {
                if (!(validate3(data10, { instancePath: instancePath + "/propertyNames", parentData: data, parentDataProperty: "propertyNames", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props13 = validate3.evaluated.props;
                    if (props12 !== true && props13 !== undefined) {
                        if (props13 === true) {
                            props12 = true;
                        }
                        else {
                            props12 = props12 || {};
                            Object.assign(props12, props13);
                        }
                    }
                    var items13 = validate3.evaluated.items;
                    if (items12 !== true && items13 !== undefined) {
                        items12 = items13 === true ? true : items12 > items13 ? items12 : items13;
                    }
                }
            }
        }
        if (data.if !== undefined && func0.call(data, "if")) {
            let data11 = data.if;
            let _v7 = dynamicAnchors.meta;
            if (_v7) {
                if (!(_v7(data11, { instancePath: instancePath + "/if", parentData: data, parentDataProperty: "if", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v7.errors : vErrors.concat(_v7.errors);
                    errors = vErrors.length;
                }
                else {
                    var props14 = _v7.evaluated.props;
                    var items14 = _v7.evaluated.items;
                }
            }
            else {
                if (!(validate3(data11, { instancePath: instancePath + "/if", parentData: data, parentDataProperty: "if", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props15 = validate3.evaluated.props;
                    if (props14 !== true && props15 !== undefined) {
                        if (props15 === true) {
                            props14 = true;
                        }
                        else {
                            props14 = props14 || {};
                            Object.assign(props14, props15);
                        }
                    }
                    var items15 = validate3.evaluated.items;
                    if (items14 !== true && items15 !== undefined) {
                        items14 = items15 === true ? true : items14 > items15 ? items14 : items15;
                    }
                }
            }
        }
        if (data.then !== undefined && func0.call(data, "then")) {
            let data12 = data.then;
            let _v8 = dynamicAnchors.meta;
            if (_v8) {
                if (!(_v8(data12, { instancePath: instancePath + "/then", parentData: data, parentDataProperty: "then", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v8.errors : vErrors.concat(_v8.errors);
                    errors = vErrors.length;
                }
                else {
                    var props16 = _v8.evaluated.props;
                    var items16 = _v8.evaluated.items;
                }
            }
            else {
                if (!(validate3(data12, { instancePath: instancePath + "/then", parentData: data, parentDataProperty: "then", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props17 = validate3.evaluated.props;
                    if (props16 !== true && props17 !== undefined) {
                        if (props17 === true) {
                            props16 = true;
                        }
                        else {
                            props16 = props16 || {};
                            Object.assign(props16, props17);
                        }
                    }
                    var items17 = validate3.evaluated.items;
                    if (items16 !== true && items17 !== undefined) {
                        items16 = items17 === true ? true : items16 > items17 ? items16 : items17;
                    }
                }
            }
        }
        if (data.else !== undefined && func0.call(data, "else")) {
            let data13 = data.else;
            let _v9 = dynamicAnchors.meta;
            if (_v9) {
                if (!(_v9(data13, { instancePath: instancePath + "/else", parentData: data, parentDataProperty: "else", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v9.errors : vErrors.concat(_v9.errors);
                    errors = vErrors.length;
                }
                else {
                    var props18 = _v9.evaluated.props;
                    var items18 = _v9.evaluated.items;
                }
            }
            else {
                if (!(validate3(data13, { instancePath: instancePath + "/else", parentData: data, parentDataProperty: "else", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props19 = validate3.evaluated.props;
                    if (props18 !== true && props19 !== undefined) {
                        if (props19 === true) {
                            props18 = true;
                        }
                        else {
                            props18 = props18 || {};
                            Object.assign(props18, props19);
                        }
                    }
                    var items19 = validate3.evaluated.items;
                    if (items18 !== true && items19 !== undefined) {
                        items18 = items19 === true ? true : items18 > items19 ? items18 : items19;
                    }
                }
            }
        }
        if (data.allOf !== undefined && func0.call(data, "allOf")) {
            if (!(validate4(data.allOf, { instancePath: instancePath + "/allOf", parentData: data, parentDataProperty: "allOf", rootData, dynamicAnchors }))) {
                vErrors = vErrors === null ? validate4.errors : vErrors.concat(validate4.errors);
                errors = vErrors.length;
            }
        }
        if (data.anyOf !== undefined && func0.call(data, "anyOf")) {
            if (!(validate4(data.anyOf, { instancePath: instancePath + "/anyOf", parentData: data, parentDataProperty: "anyOf", rootData, dynamicAnchors }))) {
                vErrors = vErrors === null ? validate4.errors : vErrors.concat(validate4.errors);
                errors = vErrors.length;
            }
        }
        if (data.oneOf !== undefined && func0.call(data, "oneOf")) {
            if (!(validate4(data.oneOf, { instancePath: instancePath + "/oneOf", parentData: data, parentDataProperty: "oneOf", rootData, dynamicAnchors }))) {
                vErrors = vErrors === null ? validate4.errors : vErrors.concat(validate4.errors);
                errors = vErrors.length;
            }
        }
        if (data.not !== undefined && func0.call(data, "not")) {
            let data17 = data.not;
            let _v10 = dynamicAnchors.meta;
            if (_v10) {
                if (!(_v10(data17, { instancePath: instancePath + "/not", parentData: data, parentDataProperty: "not", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v10.errors : vErrors.concat(_v10.errors);
                    errors = vErrors.length;
                }
                else {
                    var props20 = _v10.evaluated.props;
                    var items20 = _v10.evaluated.items;
                }
            }
            else {
                if (!(validate3(data17, { instancePath: instancePath + "/not", parentData: data, parentDataProperty: "not", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
                    errors = vErrors.length;
                }
                else {
                    var props21 = validate3.evaluated.props;
                    if (props20 !== true && props21 !== undefined) {
                        if (props21 === true) {
                            props20 = true;
                        }
                        else {
                            props20 = props20 || {};
                            Object.assign(props20, props21);
                        }
                    }
                    var items21 = validate3.evaluated.items;
                    if (items20 !== true && items21 !== undefined) {
                        items20 = items21 === true ? true : items20 > items21 ? items20 : items21;
                    }
                }
            }
        }
    } validate3.errors = vErrors; return errors === 0; }
    validate3.evaluated = { "props": { "prefixItems": true, "items": true, "contains": true, "additionalProperties": true, "properties": true, "patternProperties": true, "dependentSchemas": true, "propertyNames": true, "if": true, "then": true, "else": true, "allOf": true, "anyOf": true, "oneOf": true, "not": true }, "dynamicProps": false, "dynamicItems": false };
    const schema11 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/meta/unevaluated", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/unevaluated": true }, "$dynamicAnchor": "meta", "title": "Unevaluated applicator vocabulary meta-schema", "type": ["object", "boolean"], "properties": { "unevaluatedItems": { "$dynamicRef": "#meta" }, "unevaluatedProperties": { "$dynamicRef": "#meta" } } };
    function validate10(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/meta/unevaluated" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate10.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema11.type }, message: "must be object,boolean", schema: schema11.type, parentSchema: schema11, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate10;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.unevaluatedItems !== undefined && func0.call(data, "unevaluatedItems")) {
            let data0 = data.unevaluatedItems;
            let _v0 = dynamicAnchors.meta;
            if (_v0) {
                if (!(_v0(data0, { instancePath: instancePath + "/unevaluatedItems", parentData: data, parentDataProperty: "unevaluatedItems", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v0.errors : vErrors.concat(_v0.errors);
                    errors = vErrors.length;
                }
                else {
                    var props0 = _v0.evaluated.props;
                    var items0 = _v0.evaluated.items;
                }
            }
            else {
                if (!(validate10(data0, { instancePath: instancePath + "/unevaluatedItems", parentData: data, parentDataProperty: "unevaluatedItems", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate10.errors : vErrors.concat(validate10.errors);
                    errors = vErrors.length;
                }
                else {
                    var props1 = validate10.evaluated.props;
                    if (props0 !== true && props1 !== undefined) {
                        if (props1 === true) {
                            props0 = true;
                        }
                        else {
                            props0 = props0 || {};
                            Object.assign(props0, props1);
                        }
                    }
                    var items1 = validate10.evaluated.items;
                    if (items0 !== true && items1 !== undefined) {
                        items0 = items1 === true ? true : items0 > items1 ? items0 : items1;
                    }
                }
            }
        }
        if (data.unevaluatedProperties !== undefined && func0.call(data, "unevaluatedProperties")) {
            let data1 = data.unevaluatedProperties;
            let _v1 = dynamicAnchors.meta;
            if (_v1) {
                if (!(_v1(data1, { instancePath: instancePath + "/unevaluatedProperties", parentData: data, parentDataProperty: "unevaluatedProperties", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v1.errors : vErrors.concat(_v1.errors);
                    errors = vErrors.length;
                }
                else {
                    var props2 = _v1.evaluated.props;
                    var items2 = _v1.evaluated.items;
                }
            }
            else {
                if (!(validate10(data1, { instancePath: instancePath + "/unevaluatedProperties", parentData: data, parentDataProperty: "unevaluatedProperties", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate10.errors : vErrors.concat(validate10.errors);
                    errors = vErrors.length;
                }
                else {
                    var props3 = validate10.evaluated.props;
                    if (props2 !== true && props3 !== undefined) {
                        if (props3 === true) {
                            props2 = true;
                        }
                        else {
                            props2 = props2 || {};
                            Object.assign(props2, props3);
                        }
                    }
                    var items3 = validate10.evaluated.items;
                    if (items2 !== true && items3 !== undefined) {
                        items2 = items3 === true ? true : items2 > items3 ? items2 : items3;
                    }
                }
            }
        }
    } validate10.errors = vErrors; return errors === 0; }
    validate10.evaluated = { "props": { "unevaluatedItems": true, "unevaluatedProperties": true }, "dynamicProps": false, "dynamicItems": false };
    const schema12 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/meta/validation", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/validation": true }, "$dynamicAnchor": "meta", "title": "Validation vocabulary meta-schema", "type": ["object", "boolean"], "properties": { "type": { "anyOf": [{ "$ref": "#/$defs/simpleTypes" }, { "type": "array", "items": { "$ref": "#/$defs/simpleTypes" }, "minItems": 1, "uniqueItems": true }] }, "const": true, "enum": { "type": "array", "items": true }, "multipleOf": { "type": "number", "exclusiveMinimum": 0 }, "maximum": { "type": "number" }, "exclusiveMaximum": { "type": "number" }, "minimum": { "type": "number" }, "exclusiveMinimum": { "type": "number" }, "maxLength": { "$ref": "#/$defs/nonNegativeInteger" }, "minLength": { "$ref": "#/$defs/nonNegativeIntegerDefault0" }, "pattern": { "type": "string", "format": "regex" }, "maxItems": { "$ref": "#/$defs/nonNegativeInteger" }, "minItems": { "$ref": "#/$defs/nonNegativeIntegerDefault0" }, "uniqueItems": { "type": "boolean", "default": false }, "maxContains": { "$ref": "#/$defs/nonNegativeInteger" }, "minContains": { "$ref": "#/$defs/nonNegativeInteger", "default": 1 }, "maxProperties": { "$ref": "#/$defs/nonNegativeInteger" }, "minProperties": { "$ref": "#/$defs/nonNegativeIntegerDefault0" }, "required": { "$ref": "#/$defs/stringArray" }, "dependentRequired": { "type": "object", "additionalProperties": { "$ref": "#/$defs/stringArray" } } }, "$defs": { "nonNegativeInteger": { "type": "integer", "minimum": 0 }, "nonNegativeIntegerDefault0": { "$ref": "#/$defs/nonNegativeInteger", "default": 0 }, "simpleTypes": { "enum": ["array", "boolean", "integer", "null", "number", "object", "string"] }, "stringArray": { "type": "array", "items": { "type": "string" }, "uniqueItems": true, "default": [] } } };
    const schema13 = { "enum": ["array", "boolean", "integer", "null", "number", "object", "string"] };
    const schema15 = { "type": "integer", "minimum": 0 };
    const func30 = commonJs(ajv_dist_runtime_equal_js__WEBPACK_IMPORTED_MODULE_1__["default"]).default;
    function validate12(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/meta/validation" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate12.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema12.type }, message: "must be object,boolean", schema: schema12.type, parentSchema: schema12, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate12;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.type !== undefined && func0.call(data, "type")) {
            let data0 = data.type;
            const _errs2 = errors;
            let valid1 = false;
            const _errs3 = errors;
            if (!(((((((data0 === "array") || (data0 === "boolean")) || (data0 === "integer")) || (data0 === "null")) || (data0 === "number")) || (data0 === "object")) || (data0 === "string"))) {
                const err1 = { instancePath: instancePath + "/type", schemaPath: "#/$defs/simpleTypes/enum", keyword: "enum", params: { allowedValues: schema13.enum }, message: "must be equal to one of the allowed values", schema: schema13.enum, parentSchema: schema13, data: data0 };
                if (vErrors === null) {
                    vErrors = [err1];
                }
                else {
                    vErrors.push(err1);
                }
                errors++;
            }
            var _valid0 = _errs3 === errors;
            valid1 = valid1 || _valid0;
            const _errs5 = errors;
            if (Array.isArray(data0)) {
                if (data0.length < 1) {
                    const err2 = { instancePath: instancePath + "/type", schemaPath: "#/properties/type/anyOf/1/minItems", keyword: "minItems", params: { limit: 1 }, message: "must NOT have fewer than 1 items", schema: 1, parentSchema: schema12.properties.type.anyOf[1], data: data0 };
                    if (vErrors === null) {
                        vErrors = [err2];
                    }
                    else {
                        vErrors.push(err2);
                    }
                    errors++;
                }
                const len0 = data0.length;
                for (let i0 = 0; i0 < len0; i0++) {
                    let data1 = data0[i0];
                    if (!(((((((data1 === "array") || (data1 === "boolean")) || (data1 === "integer")) || (data1 === "null")) || (data1 === "number")) || (data1 === "object")) || (data1 === "string"))) {
                        const err3 = { instancePath: instancePath + "/type/" + i0, schemaPath: "#/$defs/simpleTypes/enum", keyword: "enum", params: { allowedValues: schema13.enum }, message: "must be equal to one of the allowed values", schema: schema13.enum, parentSchema: schema13, data: data1 };
                        if (vErrors === null) {
                            vErrors = [err3];
                        }
                        else {
                            vErrors.push(err3);
                        }
                        errors++;
                    }
                }
                let i1 = data0.length;
                let j0;
                if (i1 > 1) {
                    outer0: for (; i1--;) {
                        for (j0 = i1; j0--;) {
                            if (func30(data0[i1], data0[j0])) {
                                const err4 = { instancePath: instancePath + "/type", schemaPath: "#/properties/type/anyOf/1/uniqueItems", keyword: "uniqueItems", params: { i: i1, j: j0 }, message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)", schema: true, parentSchema: schema12.properties.type.anyOf[1], data: data0 };
                                if (vErrors === null) {
                                    vErrors = [err4];
                                }
                                else {
                                    vErrors.push(err4);
                                }
                                errors++;
                                break outer0;
                            }
                        }
                    }
                }
            }
            else {
                const err5 = { instancePath: instancePath + "/type", schemaPath: "#/properties/type/anyOf/1/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema12.properties.type.anyOf[1].type, parentSchema: schema12.properties.type.anyOf[1], data: data0 };
                if (vErrors === null) {
                    vErrors = [err5];
                }
                else {
                    vErrors.push(err5);
                }
                errors++;
            }
            var _valid0 = _errs5 === errors;
            valid1 = valid1 || _valid0;
            if (!valid1) {
                const err6 = { instancePath: instancePath + "/type", schemaPath: "#/properties/type/anyOf", keyword: "anyOf", params: {}, message: "must match a schema in anyOf", schema: schema12.properties.type.anyOf, parentSchema: schema12.properties.type, data: data0 };
                if (vErrors === null) {
                    vErrors = [err6];
                }
                else {
                    vErrors.push(err6);
                }
                errors++;
            }
            else {
                errors = _errs2;
                if (vErrors !== null) {
                    if (_errs2) {
                        vErrors.length = _errs2;
                    }
                    else {
                        vErrors = null;
                    }
                }
            }
        }
        if (data.enum !== undefined && func0.call(data, "enum")) {
            let data2 = data.enum;
            if (!(Array.isArray(data2))) {
                const err7 = { instancePath: instancePath + "/enum", schemaPath: "#/properties/enum/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema12.properties.enum.type, parentSchema: schema12.properties.enum, data: data2 };
                if (vErrors === null) {
                    vErrors = [err7];
                }
                else {
                    vErrors.push(err7);
                }
                errors++;
            }
        }
        if (data.multipleOf !== undefined && func0.call(data, "multipleOf")) {
            let data3 = data.multipleOf;
            if ((typeof data3 == "number") && (isFinite(data3))) {
                if (data3 <= 0 || isNaN(data3)) {
                    const err8 = { instancePath: instancePath + "/multipleOf", schemaPath: "#/properties/multipleOf/exclusiveMinimum", keyword: "exclusiveMinimum", params: { comparison: ">", limit: 0 }, message: "must be > 0", schema: 0, parentSchema: schema12.properties.multipleOf, data: data3 };
                    if (vErrors === null) {
                        vErrors = [err8];
                    }
                    else {
                        vErrors.push(err8);
                    }
                    errors++;
                }
            }
            else {
                const err9 = { instancePath: instancePath + "/multipleOf", schemaPath: "#/properties/multipleOf/type", keyword: "type", params: { type: "number" }, message: "must be number", schema: schema12.properties.multipleOf.type, parentSchema: schema12.properties.multipleOf, data: data3 };
                if (vErrors === null) {
                    vErrors = [err9];
                }
                else {
                    vErrors.push(err9);
                }
                errors++;
            }
        }
        if (data.maximum !== undefined && func0.call(data, "maximum")) {
            let data4 = data.maximum;
            if (!((typeof data4 == "number") && (isFinite(data4)))) {
                const err10 = { instancePath: instancePath + "/maximum", schemaPath: "#/properties/maximum/type", keyword: "type", params: { type: "number" }, message: "must be number", schema: schema12.properties.maximum.type, parentSchema: schema12.properties.maximum, data: data4 };
                if (vErrors === null) {
                    vErrors = [err10];
                }
                else {
                    vErrors.push(err10);
                }
                errors++;
            }
        }
        if (data.exclusiveMaximum !== undefined && func0.call(data, "exclusiveMaximum")) {
            let data5 = data.exclusiveMaximum;
            if (!((typeof data5 == "number") && (isFinite(data5)))) {
                const err11 = { instancePath: instancePath + "/exclusiveMaximum", schemaPath: "#/properties/exclusiveMaximum/type", keyword: "type", params: { type: "number" }, message: "must be number", schema: schema12.properties.exclusiveMaximum.type, parentSchema: schema12.properties.exclusiveMaximum, data: data5 };
                if (vErrors === null) {
                    vErrors = [err11];
                }
                else {
                    vErrors.push(err11);
                }
                errors++;
            }
        }
        if (data.minimum !== undefined && func0.call(data, "minimum")) {
            let data6 = data.minimum;
            if (!((typeof data6 == "number") && (isFinite(data6)))) {
                const err12 = { instancePath: instancePath + "/minimum", schemaPath: "#/properties/minimum/type", keyword: "type", params: { type: "number" }, message: "must be number", schema: schema12.properties.minimum.type, parentSchema: schema12.properties.minimum, data: data6 };
                if (vErrors === null) {
                    vErrors = [err12];
                }
                else {
                    vErrors.push(err12);
                }
                errors++;
            }
        }
        if (data.exclusiveMinimum !== undefined && func0.call(data, "exclusiveMinimum")) {
            let data7 = data.exclusiveMinimum;
            if (!((typeof data7 == "number") && (isFinite(data7)))) {
                const err13 = { instancePath: instancePath + "/exclusiveMinimum", schemaPath: "#/properties/exclusiveMinimum/type", keyword: "type", params: { type: "number" }, message: "must be number", schema: schema12.properties.exclusiveMinimum.type, parentSchema: schema12.properties.exclusiveMinimum, data: data7 };
                if (vErrors === null) {
                    vErrors = [err13];
                }
                else {
                    vErrors.push(err13);
                }
                errors++;
            }
        }
        if (data.maxLength !== undefined && func0.call(data, "maxLength")) {
            let data8 = data.maxLength;
            if (!(((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8))) && (isFinite(data8)))) {
                const err14 = { instancePath: instancePath + "/maxLength", schemaPath: "#/$defs/nonNegativeInteger/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data8 };
                if (vErrors === null) {
                    vErrors = [err14];
                }
                else {
                    vErrors.push(err14);
                }
                errors++;
            }
            if ((typeof data8 == "number") && (isFinite(data8))) {
                if (data8 < 0 || isNaN(data8)) {
                    const err15 = { instancePath: instancePath + "/maxLength", schemaPath: "#/$defs/nonNegativeInteger/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data8 };
                    if (vErrors === null) {
                        vErrors = [err15];
                    }
                    else {
                        vErrors.push(err15);
                    }
                    errors++;
                }
            }
        }
        if (data.minLength !== undefined && func0.call(data, "minLength")) {
            let data9 = data.minLength;
            if (!(((typeof data9 == "number") && (!(data9 % 1) && !isNaN(data9))) && (isFinite(data9)))) {
                const err16 = { instancePath: instancePath + "/minLength", schemaPath: "#/$defs/nonNegativeIntegerDefault0/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data9 };
                if (vErrors === null) {
                    vErrors = [err16];
                }
                else {
                    vErrors.push(err16);
                }
                errors++;
            }
            if ((typeof data9 == "number") && (isFinite(data9))) {
                if (data9 < 0 || isNaN(data9)) {
                    const err17 = { instancePath: instancePath + "/minLength", schemaPath: "#/$defs/nonNegativeIntegerDefault0/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data9 };
                    if (vErrors === null) {
                        vErrors = [err17];
                    }
                    else {
                        vErrors.push(err17);
                    }
                    errors++;
                }
            }
        }
        if (data.pattern !== undefined && func0.call(data, "pattern")) {
            let data10 = data.pattern;
            if (!(typeof data10 === "string")) {
                const err18 = { instancePath: instancePath + "/pattern", schemaPath: "#/properties/pattern/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema12.properties.pattern.type, parentSchema: schema12.properties.pattern, data: data10 };
                if (vErrors === null) {
                    vErrors = [err18];
                }
                else {
                    vErrors.push(err18);
                }
                errors++;
            }
        }
        if (data.maxItems !== undefined && func0.call(data, "maxItems")) {
            let data11 = data.maxItems;
            if (!(((typeof data11 == "number") && (!(data11 % 1) && !isNaN(data11))) && (isFinite(data11)))) {
                const err19 = { instancePath: instancePath + "/maxItems", schemaPath: "#/$defs/nonNegativeInteger/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data11 };
                if (vErrors === null) {
                    vErrors = [err19];
                }
                else {
                    vErrors.push(err19);
                }
                errors++;
            }
            if ((typeof data11 == "number") && (isFinite(data11))) {
                if (data11 < 0 || isNaN(data11)) {
                    const err20 = { instancePath: instancePath + "/maxItems", schemaPath: "#/$defs/nonNegativeInteger/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data11 };
                    if (vErrors === null) {
                        vErrors = [err20];
                    }
                    else {
                        vErrors.push(err20);
                    }
                    errors++;
                }
            }
        }
        if (data.minItems !== undefined && func0.call(data, "minItems")) {
            let data12 = data.minItems;
            if (!(((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12))) && (isFinite(data12)))) {
                const err21 = { instancePath: instancePath + "/minItems", schemaPath: "#/$defs/nonNegativeIntegerDefault0/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data12 };
                if (vErrors === null) {
                    vErrors = [err21];
                }
                else {
                    vErrors.push(err21);
                }
                errors++;
            }
            if ((typeof data12 == "number") && (isFinite(data12))) {
                if (data12 < 0 || isNaN(data12)) {
                    const err22 = { instancePath: instancePath + "/minItems", schemaPath: "#/$defs/nonNegativeIntegerDefault0/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data12 };
                    if (vErrors === null) {
                        vErrors = [err22];
                    }
                    else {
                        vErrors.push(err22);
                    }
                    errors++;
                }
            }
        }
        if (data.uniqueItems !== undefined && func0.call(data, "uniqueItems")) {
            let data13 = data.uniqueItems;
            if (typeof data13 !== "boolean") {
                const err23 = { instancePath: instancePath + "/uniqueItems", schemaPath: "#/properties/uniqueItems/type", keyword: "type", params: { type: "boolean" }, message: "must be boolean", schema: schema12.properties.uniqueItems.type, parentSchema: schema12.properties.uniqueItems, data: data13 };
                if (vErrors === null) {
                    vErrors = [err23];
                }
                else {
                    vErrors.push(err23);
                }
                errors++;
            }
        }
        if (data.maxContains !== undefined && func0.call(data, "maxContains")) {
            let data14 = data.maxContains;
            if (!(((typeof data14 == "number") && (!(data14 % 1) && !isNaN(data14))) && (isFinite(data14)))) {
                const err24 = { instancePath: instancePath + "/maxContains", schemaPath: "#/$defs/nonNegativeInteger/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data14 };
                if (vErrors === null) {
                    vErrors = [err24];
                }
                else {
                    vErrors.push(err24);
                }
                errors++;
            }
            if ((typeof data14 == "number") && (isFinite(data14))) {
                if (data14 < 0 || isNaN(data14)) {
                    const err25 = { instancePath: instancePath + "/maxContains", schemaPath: "#/$defs/nonNegativeInteger/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data14 };
                    if (vErrors === null) {
                        vErrors = [err25];
                    }
                    else {
                        vErrors.push(err25);
                    }
                    errors++;
                }
            }
        }
        if (data.minContains !== undefined && func0.call(data, "minContains")) {
            let data15 = data.minContains;
            if (!(((typeof data15 == "number") && (!(data15 % 1) && !isNaN(data15))) && (isFinite(data15)))) {
                const err26 = { instancePath: instancePath + "/minContains", schemaPath: "#/$defs/nonNegativeInteger/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data15 };
                if (vErrors === null) {
                    vErrors = [err26];
                }
                else {
                    vErrors.push(err26);
                }
                errors++;
            }
            if ((typeof data15 == "number") && (isFinite(data15))) {
                if (data15 < 0 || isNaN(data15)) {
                    const err27 = { instancePath: instancePath + "/minContains", schemaPath: "#/$defs/nonNegativeInteger/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data15 };
                    if (vErrors === null) {
                        vErrors = [err27];
                    }
                    else {
                        vErrors.push(err27);
                    }
                    errors++;
                }
            }
        }
        if (data.maxProperties !== undefined && func0.call(data, "maxProperties")) {
            let data16 = data.maxProperties;
            if (!(((typeof data16 == "number") && (!(data16 % 1) && !isNaN(data16))) && (isFinite(data16)))) {
                const err28 = { instancePath: instancePath + "/maxProperties", schemaPath: "#/$defs/nonNegativeInteger/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data16 };
                if (vErrors === null) {
                    vErrors = [err28];
                }
                else {
                    vErrors.push(err28);
                }
                errors++;
            }
            if ((typeof data16 == "number") && (isFinite(data16))) {
                if (data16 < 0 || isNaN(data16)) {
                    const err29 = { instancePath: instancePath + "/maxProperties", schemaPath: "#/$defs/nonNegativeInteger/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data16 };
                    if (vErrors === null) {
                        vErrors = [err29];
                    }
                    else {
                        vErrors.push(err29);
                    }
                    errors++;
                }
            }
        }
        if (data.minProperties !== undefined && func0.call(data, "minProperties")) {
            let data17 = data.minProperties;
            if (!(((typeof data17 == "number") && (!(data17 % 1) && !isNaN(data17))) && (isFinite(data17)))) {
                const err30 = { instancePath: instancePath + "/minProperties", schemaPath: "#/$defs/nonNegativeIntegerDefault0/type", keyword: "type", params: { type: "integer" }, message: "must be integer", schema: schema15.type, parentSchema: schema15, data: data17 };
                if (vErrors === null) {
                    vErrors = [err30];
                }
                else {
                    vErrors.push(err30);
                }
                errors++;
            }
            if ((typeof data17 == "number") && (isFinite(data17))) {
                if (data17 < 0 || isNaN(data17)) {
                    const err31 = { instancePath: instancePath + "/minProperties", schemaPath: "#/$defs/nonNegativeIntegerDefault0/minimum", keyword: "minimum", params: { comparison: ">=", limit: 0 }, message: "must be >= 0", schema: 0, parentSchema: schema15, data: data17 };
                    if (vErrors === null) {
                        vErrors = [err31];
                    }
                    else {
                        vErrors.push(err31);
                    }
                    errors++;
                }
            }
        }
        if (data.required !== undefined && func0.call(data, "required")) {
            let data18 = data.required;
            if (Array.isArray(data18)) {
                const len1 = data18.length;
                for (let i2 = 0; i2 < len1; i2++) {
                    let data19 = data18[i2];
                    if (typeof data19 !== "string") {
                        const err32 = { instancePath: instancePath + "/required/" + i2, schemaPath: "#/$defs/stringArray/items/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema23.items.type, parentSchema: schema23.items, data: data19 };
                        if (vErrors === null) {
                            vErrors = [err32];
                        }
                        else {
                            vErrors.push(err32);
                        }
                        errors++;
                    }
                }
                let i3 = data18.length;
                let j1;
                if (i3 > 1) {
                    const indices0 = {};
                    for (; i3--;) {
                        let item0 = data18[i3];
                        if (typeof item0 !== "string") {
                            continue;
                        }
                        if (typeof indices0[item0] == "number") {
                            j1 = indices0[item0];
                            const err33 = { instancePath: instancePath + "/required", schemaPath: "#/$defs/stringArray/uniqueItems", keyword: "uniqueItems", params: { i: i3, j: j1 }, message: "must NOT have duplicate items (items ## " + j1 + " and " + i3 + " are identical)", schema: true, parentSchema: schema23, data: data18 };
                            if (vErrors === null) {
                                vErrors = [err33];
                            }
                            else {
                                vErrors.push(err33);
                            }
                            errors++;
                            break;
                        }
                        indices0[item0] = i3;
                    }
                }
            }
            else {
                const err34 = { instancePath: instancePath + "/required", schemaPath: "#/$defs/stringArray/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema23.type, parentSchema: schema23, data: data18 };
                if (vErrors === null) {
                    vErrors = [err34];
                }
                else {
                    vErrors.push(err34);
                }
                errors++;
            }
        }
        if (data.dependentRequired !== undefined && func0.call(data, "dependentRequired")) {
            let data20 = data.dependentRequired;
            if (data20 && typeof data20 == "object" && !Array.isArray(data20)) {
                for (const key0 of Object.keys(data20)) {
                    let data21 = data20[key0];
                    if (Array.isArray(data21)) {
                        const len2 = data21.length;
                        for (let i4 = 0; i4 < len2; i4++) {
                            let data22 = data21[i4];
                            if (typeof data22 !== "string") {
                                const err35 = { instancePath: instancePath + "/dependentRequired/" + key0.replace(/~/g, "~0").replace(/\//g, "~1") + "/" + i4, schemaPath: "#/$defs/stringArray/items/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema23.items.type, parentSchema: schema23.items, data: data22 };
                                if (vErrors === null) {
                                    vErrors = [err35];
                                }
                                else {
                                    vErrors.push(err35);
                                }
                                errors++;
                            }
                        }
                        let i5 = data21.length;
                        let j2;
                        if (i5 > 1) {
                            const indices1 = {};
                            for (; i5--;) {
                                let item1 = data21[i5];
                                if (typeof item1 !== "string") {
                                    continue;
                                }
                                if (typeof indices1[item1] == "number") {
                                    j2 = indices1[item1];
                                    const err36 = { instancePath: instancePath + "/dependentRequired/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"), schemaPath: "#/$defs/stringArray/uniqueItems", keyword: "uniqueItems", params: { i: i5, j: j2 }, message: "must NOT have duplicate items (items ## " + j2 + " and " + i5 + " are identical)", schema: true, parentSchema: schema23, data: data21 };
                                    if (vErrors === null) {
                                        vErrors = [err36];
                                    }
                                    else {
                                        vErrors.push(err36);
                                    }
                                    errors++;
                                    break;
                                }
                                indices1[item1] = i5;
                            }
                        }
                    }
                    else {
                        const err37 = { instancePath: instancePath + "/dependentRequired/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"), schemaPath: "#/$defs/stringArray/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema23.type, parentSchema: schema23, data: data21 };
                        if (vErrors === null) {
                            vErrors = [err37];
                        }
                        else {
                            vErrors.push(err37);
                        }
                        errors++;
                    }
                }
            }
            else {
                const err38 = { instancePath: instancePath + "/dependentRequired", schemaPath: "#/properties/dependentRequired/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema12.properties.dependentRequired.type, parentSchema: schema12.properties.dependentRequired, data: data20 };
                if (vErrors === null) {
                    vErrors = [err38];
                }
                else {
                    vErrors.push(err38);
                }
                errors++;
            }
        }
    } validate12.errors = vErrors; return errors === 0; }
    validate12.evaluated = { "props": { "type": true, "const": true, "enum": true, "multipleOf": true, "maximum": true, "exclusiveMaximum": true, "minimum": true, "exclusiveMinimum": true, "maxLength": true, "minLength": true, "pattern": true, "maxItems": true, "minItems": true, "uniqueItems": true, "maxContains": true, "minContains": true, "maxProperties": true, "minProperties": true, "required": true, "dependentRequired": true }, "dynamicProps": false, "dynamicItems": false };
    const schema25 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/meta/meta-data", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/meta-data": true }, "$dynamicAnchor": "meta", "title": "Meta-data vocabulary meta-schema", "type": ["object", "boolean"], "properties": { "title": { "type": "string" }, "description": { "type": "string" }, "default": true, "deprecated": { "type": "boolean", "default": false }, "readOnly": { "type": "boolean", "default": false }, "writeOnly": { "type": "boolean", "default": false }, "examples": { "type": "array", "items": true } } };
    function validate14(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/meta/meta-data" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate14.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema25.type }, message: "must be object,boolean", schema: schema25.type, parentSchema: schema25, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate14;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.title !== undefined && func0.call(data, "title")) {
            let data0 = data.title;
            if (typeof data0 !== "string") {
                const err1 = { instancePath: instancePath + "/title", schemaPath: "#/properties/title/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema25.properties.title.type, parentSchema: schema25.properties.title, data: data0 };
                if (vErrors === null) {
                    vErrors = [err1];
                }
                else {
                    vErrors.push(err1);
                }
                errors++;
            }
        }
        if (data.description !== undefined && func0.call(data, "description")) {
            let data1 = data.description;
            if (typeof data1 !== "string") {
                const err2 = { instancePath: instancePath + "/description", schemaPath: "#/properties/description/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema25.properties.description.type, parentSchema: schema25.properties.description, data: data1 };
                if (vErrors === null) {
                    vErrors = [err2];
                }
                else {
                    vErrors.push(err2);
                }
                errors++;
            }
        }
        if (data.deprecated !== undefined && func0.call(data, "deprecated")) {
            let data2 = data.deprecated;
            if (typeof data2 !== "boolean") {
                const err3 = { instancePath: instancePath + "/deprecated", schemaPath: "#/properties/deprecated/type", keyword: "type", params: { type: "boolean" }, message: "must be boolean", schema: schema25.properties.deprecated.type, parentSchema: schema25.properties.deprecated, data: data2 };
                if (vErrors === null) {
                    vErrors = [err3];
                }
                else {
                    vErrors.push(err3);
                }
                errors++;
            }
        }
        if (data.readOnly !== undefined && func0.call(data, "readOnly")) {
            let data3 = data.readOnly;
            if (typeof data3 !== "boolean") {
                const err4 = { instancePath: instancePath + "/readOnly", schemaPath: "#/properties/readOnly/type", keyword: "type", params: { type: "boolean" }, message: "must be boolean", schema: schema25.properties.readOnly.type, parentSchema: schema25.properties.readOnly, data: data3 };
                if (vErrors === null) {
                    vErrors = [err4];
                }
                else {
                    vErrors.push(err4);
                }
                errors++;
            }
        }
        if (data.writeOnly !== undefined && func0.call(data, "writeOnly")) {
            let data4 = data.writeOnly;
            if (typeof data4 !== "boolean") {
                const err5 = { instancePath: instancePath + "/writeOnly", schemaPath: "#/properties/writeOnly/type", keyword: "type", params: { type: "boolean" }, message: "must be boolean", schema: schema25.properties.writeOnly.type, parentSchema: schema25.properties.writeOnly, data: data4 };
                if (vErrors === null) {
                    vErrors = [err5];
                }
                else {
                    vErrors.push(err5);
                }
                errors++;
            }
        }
        if (data.examples !== undefined && func0.call(data, "examples")) {
            let data5 = data.examples;
            if (!(Array.isArray(data5))) {
                const err6 = { instancePath: instancePath + "/examples", schemaPath: "#/properties/examples/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema25.properties.examples.type, parentSchema: schema25.properties.examples, data: data5 };
                if (vErrors === null) {
                    vErrors = [err6];
                }
                else {
                    vErrors.push(err6);
                }
                errors++;
            }
        }
    } validate14.errors = vErrors; return errors === 0; }
    validate14.evaluated = { "props": { "title": true, "description": true, "default": true, "deprecated": true, "readOnly": true, "writeOnly": true, "examples": true }, "dynamicProps": false, "dynamicItems": false };
    const schema26 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/meta/format-annotation", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/format-annotation": true }, "$dynamicAnchor": "meta", "title": "Format vocabulary meta-schema for annotation results", "type": ["object", "boolean"], "properties": { "format": { "type": "string" } } };
    function validate16(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/meta/format-annotation" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate16.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema26.type }, message: "must be object,boolean", schema: schema26.type, parentSchema: schema26, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate16;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.format !== undefined && func0.call(data, "format")) {
            let data0 = data.format;
            if (typeof data0 !== "string") {
                const err1 = { instancePath: instancePath + "/format", schemaPath: "#/properties/format/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema26.properties.format.type, parentSchema: schema26.properties.format, data: data0 };
                if (vErrors === null) {
                    vErrors = [err1];
                }
                else {
                    vErrors.push(err1);
                }
                errors++;
            }
        }
    } validate16.errors = vErrors; return errors === 0; }
    validate16.evaluated = { "props": { "format": true }, "dynamicProps": false, "dynamicItems": false };
    const schema27 = { "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://json-schema.org/draft/2020-12/meta/content", "$vocabulary": { "https://json-schema.org/draft/2020-12/vocab/content": true }, "$dynamicAnchor": "meta", "title": "Content vocabulary meta-schema", "type": ["object", "boolean"], "properties": { "contentEncoding": { "type": "string" }, "contentMediaType": { "type": "string" }, "contentSchema": { "$dynamicRef": "#meta" } } };
    function validate18(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/meta/content" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate18.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema27.type }, message: "must be object,boolean", schema: schema27.type, parentSchema: schema27, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate18;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.contentEncoding !== undefined && func0.call(data, "contentEncoding")) {
            let data0 = data.contentEncoding;
            if (typeof data0 !== "string") {
                const err1 = { instancePath: instancePath + "/contentEncoding", schemaPath: "#/properties/contentEncoding/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema27.properties.contentEncoding.type, parentSchema: schema27.properties.contentEncoding, data: data0 };
                if (vErrors === null) {
                    vErrors = [err1];
                }
                else {
                    vErrors.push(err1);
                }
                errors++;
            }
        }
        if (data.contentMediaType !== undefined && func0.call(data, "contentMediaType")) {
            let data1 = data.contentMediaType;
            if (typeof data1 !== "string") {
                const err2 = { instancePath: instancePath + "/contentMediaType", schemaPath: "#/properties/contentMediaType/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema27.properties.contentMediaType.type, parentSchema: schema27.properties.contentMediaType, data: data1 };
                if (vErrors === null) {
                    vErrors = [err2];
                }
                else {
                    vErrors.push(err2);
                }
                errors++;
            }
        }
        if (data.contentSchema !== undefined && func0.call(data, "contentSchema")) {
            let data2 = data.contentSchema;
            let _v0 = dynamicAnchors.meta;
            if (_v0) {
                if (!(_v0(data2, { instancePath: instancePath + "/contentSchema", parentData: data, parentDataProperty: "contentSchema", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? _v0.errors : vErrors.concat(_v0.errors);
                    errors = vErrors.length;
                }
                else {
                    var props0 = _v0.evaluated.props;
                    var items0 = _v0.evaluated.items;
                }
            }
            else {
                if (!(validate18(data2, { instancePath: instancePath + "/contentSchema", parentData: data, parentDataProperty: "contentSchema", rootData, dynamicAnchors }))) {
                    vErrors = vErrors === null ? validate18.errors : vErrors.concat(validate18.errors);
                    errors = vErrors.length;
                }
                else {
                    var props1 = validate18.evaluated.props;
                    if (props0 !== true && props1 !== undefined) {
                        if (props1 === true) {
                            props0 = true;
                        }
                        else {
                            props0 = props0 || {};
                            Object.assign(props0, props1);
                        }
                    }
                    var items1 = validate18.evaluated.items;
                    if (items0 !== true && items1 !== undefined) {
                        items0 = items1 === true ? true : items0 > items1 ? items0 : items1;
                    }
                }
            }
        }
    } validate18.errors = vErrors; return errors === 0; }
    validate18.evaluated = { "props": { "contentEncoding": true, "contentMediaType": true, "contentSchema": true }, "dynamicProps": false, "dynamicItems": false };
    function validate0(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://json-schema.org/draft/2020-12/schema" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate0.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if ((!(data && typeof data == "object" && !Array.isArray(data))) && (typeof data !== "boolean")) {
        const err0 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: schema0.type }, message: "must be object,boolean", schema: schema0.type, parentSchema: schema0, data };
        if (vErrors === null) {
            vErrors = [err0];
        }
        else {
            vErrors.push(err0);
        }
        errors++;
    } if (!dynamicAnchors.meta) {
        dynamicAnchors.meta = validate0;
    } if (!(validate1(data, { instancePath, parentData, parentDataProperty, rootData, dynamicAnchors }))) {
        vErrors = vErrors === null ? validate1.errors : vErrors.concat(validate1.errors);
        errors = vErrors.length;
    } if (!(validate3(data, { instancePath, parentData, parentDataProperty, rootData, dynamicAnchors }))) {
        vErrors = vErrors === null ? validate3.errors : vErrors.concat(validate3.errors);
        errors = vErrors.length;
    } if (!(validate10(data, { instancePath, parentData, parentDataProperty, rootData, dynamicAnchors }))) {
        vErrors = vErrors === null ? validate10.errors : vErrors.concat(validate10.errors);
        errors = vErrors.length;
    } if (!(validate12(data, { instancePath, parentData, parentDataProperty, rootData, dynamicAnchors }))) {
        vErrors = vErrors === null ? validate12.errors : vErrors.concat(validate12.errors);
        errors = vErrors.length;
    } if (!(validate14(data, { instancePath, parentData, parentDataProperty, rootData, dynamicAnchors }))) {
        vErrors = vErrors === null ? validate14.errors : vErrors.concat(validate14.errors);
        errors = vErrors.length;
    } if (!(validate16(data, { instancePath, parentData, parentDataProperty, rootData, dynamicAnchors }))) {
        vErrors = vErrors === null ? validate16.errors : vErrors.concat(validate16.errors);
        errors = vErrors.length;
    } if (!(validate18(data, { instancePath, parentData, parentDataProperty, rootData, dynamicAnchors }))) {
        vErrors = vErrors === null ? validate18.errors : vErrors.concat(validate18.errors);
        errors = vErrors.length;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if (data.definitions !== undefined && func0.call(data, "definitions")) {
            let data0 = data.definitions;
            if (data0 && typeof data0 == "object" && !Array.isArray(data0)) {
                for (const key0 of Object.keys(data0)) {
                    let data1 = data0[key0];
                    let _v0 = dynamicAnchors.meta;
                    if (_v0) {
                        if (!(_v0(data1, { instancePath: instancePath + "/definitions/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data0, parentDataProperty: key0, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? _v0.errors : vErrors.concat(_v0.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props0 = _v0.evaluated.props;
                            var items0 = _v0.evaluated.items;
                        }
                    }
                    else {
                        if (!(validate0(data1, { instancePath: instancePath + "/definitions/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data0, parentDataProperty: key0, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? validate0.errors : vErrors.concat(validate0.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props1 = validate0.evaluated.props;
                            if (props0 !== true && props1 !== undefined) {
                                if (props1 === true) {
                                    props0 = true;
                                }
                                else {
                                    props0 = props0 || {};
                                    Object.assign(props0, props1);
                                }
                            }
                            var items1 = validate0.evaluated.items;
                            if (items0 !== true && items1 !== undefined) {
                                items0 = items1 === true ? true : items0 > items1 ? items0 : items1;
                            }
                        }
                    }
                }
            }
            else {
                const err1 = { instancePath: instancePath + "/definitions", schemaPath: "#/properties/definitions/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema0.properties.definitions.type, parentSchema: schema0.properties.definitions, data: data0 };
                if (vErrors === null) {
                    vErrors = [err1];
                }
                else {
                    vErrors.push(err1);
                }
                errors++;
            }
        }
        if (data.dependencies !== undefined && func0.call(data, "dependencies")) {
            let data2 = data.dependencies;
            if (data2 && typeof data2 == "object" && !Array.isArray(data2)) {
                for (const key1 of Object.keys(data2)) {
                    let data3 = data2[key1];
                    const _errs19 = errors;
                    let valid4 = false;
                    const _errs20 = errors;
                    let _v1 = dynamicAnchors.meta;
                    if (_v1) {
                        if (!(_v1(data3, { instancePath: instancePath + "/dependencies/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data2, parentDataProperty: key1, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? _v1.errors : vErrors.concat(_v1.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props2 = _v1.evaluated.props;
                            var items2 = _v1.evaluated.items;
                        }
                    }
                    else {
                        if (!(validate0(data3, { instancePath: instancePath + "/dependencies/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"), parentData: data2, parentDataProperty: key1, rootData, dynamicAnchors }))) {
                            vErrors = vErrors === null ? validate0.errors : vErrors.concat(validate0.errors);
                            errors = vErrors.length;
                        }
                        else {
                            var props3 = validate0.evaluated.props;
                            if (props2 !== true && props3 !== undefined) {
                                if (props3 === true) {
                                    props2 = true;
                                }
                                else {
                                    props2 = props2 || {};
                                    Object.assign(props2, props3);
                                }
                            }
                            var items3 = validate0.evaluated.items;
                            if (items2 !== true && items3 !== undefined) {
                                items2 = items3 === true ? true : items2 > items3 ? items2 : items3;
                            }
                        }
                    }
                    var _valid0 = _errs20 === errors;
                    valid4 = valid4 || _valid0;
                    const _errs21 = errors;
                    if (Array.isArray(data3)) {
                        const len0 = data3.length;
                        for (let i0 = 0; i0 < len0; i0++) {
                            let data4 = data3[i0];
                            if (typeof data4 !== "string") {
                                const err2 = { instancePath: instancePath + "/dependencies/" + key1.replace(/~/g, "~0").replace(/\//g, "~1") + "/" + i0, schemaPath: "meta/validation#/$defs/stringArray/items/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema23.items.type, parentSchema: schema23.items, data: data4 };
                                if (vErrors === null) {
                                    vErrors = [err2];
                                }
                                else {
                                    vErrors.push(err2);
                                }
                                errors++;
                            }
                        }
                        let i1 = data3.length;
                        let j0;
                        if (i1 > 1) {
                            const indices0 = {};
                            for (; i1--;) {
                                let item0 = data3[i1];
                                if (typeof item0 !== "string") {
                                    continue;
                                }
                                if (typeof indices0[item0] == "number") {
                                    j0 = indices0[item0];
                                    const err3 = { instancePath: instancePath + "/dependencies/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"), schemaPath: "meta/validation#/$defs/stringArray/uniqueItems", keyword: "uniqueItems", params: { i: i1, j: j0 }, message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)", schema: true, parentSchema: schema23, data: data3 };
                                    if (vErrors === null) {
                                        vErrors = [err3];
                                    }
                                    else {
                                        vErrors.push(err3);
                                    }
                                    errors++;
                                    break;
                                }
                                indices0[item0] = i1;
                            }
                        }
                    }
                    else {
                        const err4 = { instancePath: instancePath + "/dependencies/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"), schemaPath: "meta/validation#/$defs/stringArray/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema23.type, parentSchema: schema23, data: data3 };
                        if (vErrors === null) {
                            vErrors = [err4];
                        }
                        else {
                            vErrors.push(err4);
                        }
                        errors++;
                    }
                    var _valid0 = _errs21 === errors;
                    valid4 = valid4 || _valid0;
                    if (_valid0) {
                        if (items2 !== true) {
                            items2 = true;
                        }
                    }
                    if (!valid4) {
                        const err5 = { instancePath: instancePath + "/dependencies/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"), schemaPath: "#/properties/dependencies/additionalProperties/anyOf", keyword: "anyOf", params: {}, message: "must match a schema in anyOf", schema: schema0.properties.dependencies.additionalProperties.anyOf, parentSchema: schema0.properties.dependencies.additionalProperties, data: data3 };
                        if (vErrors === null) {
                            vErrors = [err5];
                        }
                        else {
                            vErrors.push(err5);
                        }
                        errors++;
                    }
                    else {
                        errors = _errs19;
                        if (vErrors !== null) {
                            if (_errs19) {
                                vErrors.length = _errs19;
                            }
                            else {
                                vErrors = null;
                            }
                        }
                    }
                }
            }
            else {
                const err6 = { instancePath: instancePath + "/dependencies", schemaPath: "#/properties/dependencies/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema0.properties.dependencies.type, parentSchema: schema0.properties.dependencies, data: data2 };
                if (vErrors === null) {
                    vErrors = [err6];
                }
                else {
                    vErrors.push(err6);
                }
                errors++;
            }
        }
        if (data.$recursiveAnchor !== undefined && func0.call(data, "$recursiveAnchor")) {
            let data5 = data.$recursiveAnchor;
            if (typeof data5 === "string") {
                if (!pattern1.test(data5)) {
                    const err7 = { instancePath: instancePath + "/$recursiveAnchor", schemaPath: "meta/core#/$defs/anchorString/pattern", keyword: "pattern", params: { pattern: "^[A-Za-z_][-A-Za-z0-9._]*$" }, message: "must match pattern \"" + "^[A-Za-z_][-A-Za-z0-9._]*$" + "\"", schema: "^[A-Za-z_][-A-Za-z0-9._]*$", parentSchema: schema5, data: data5 };
                    if (vErrors === null) {
                        vErrors = [err7];
                    }
                    else {
                        vErrors.push(err7);
                    }
                    errors++;
                }
            }
            else {
                const err8 = { instancePath: instancePath + "/$recursiveAnchor", schemaPath: "meta/core#/$defs/anchorString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema5.type, parentSchema: schema5, data: data5 };
                if (vErrors === null) {
                    vErrors = [err8];
                }
                else {
                    vErrors.push(err8);
                }
                errors++;
            }
        }
        if (data.$recursiveRef !== undefined && func0.call(data, "$recursiveRef")) {
            let data6 = data.$recursiveRef;
            if (!(typeof data6 === "string")) {
                const err9 = { instancePath: instancePath + "/$recursiveRef", schemaPath: "meta/core#/$defs/uriReferenceString/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema2.type, parentSchema: schema2, data: data6 };
                if (vErrors === null) {
                    vErrors = [err9];
                }
                else {
                    vErrors.push(err9);
                }
                errors++;
            }
        }
    } validate0.errors = vErrors; return errors === 0; }
    validate0.evaluated = { "props": { "definitions": true, "dependencies": true, "$recursiveAnchor": true, "$recursiveRef": true, "contentEncoding": true, "contentMediaType": true, "contentSchema": true, "format": true, "title": true, "description": true, "default": true, "deprecated": true, "readOnly": true, "writeOnly": true, "examples": true, "type": true, "const": true, "enum": true, "multipleOf": true, "maximum": true, "exclusiveMaximum": true, "minimum": true, "exclusiveMinimum": true, "maxLength": true, "minLength": true, "pattern": true, "maxItems": true, "minItems": true, "uniqueItems": true, "maxContains": true, "minContains": true, "maxProperties": true, "minProperties": true, "required": true, "dependentRequired": true, "unevaluatedItems": true, "unevaluatedProperties": true, "prefixItems": true, "items": true, "contains": true, "additionalProperties": true, "properties": true, "patternProperties": true, "dependentSchemas": true, "propertyNames": true, "if": true, "then": true, "else": true, "allOf": true, "anyOf": true, "oneOf": true, "not": true, "$id": true, "$schema": true, "$ref": true, "$anchor": true, "$dynamicRef": true, "$dynamicAnchor": true, "$vocabulary": true, "$comment": true, "$defs": true }, "dynamicProps": false, "dynamicItems": false };
    return module.exports;
});
const ruleFiles = once(() => {
    const module = { exports: {} };
    const exports = module.exports;
    exports.ruleFile = validate0;
    const schema0 = { "$id": "https://cmk-guard.dev/schemas/rule.json", "type": "object", "additionalProperties": false, "required": ["name", "displayName", "description", "category", "version", "severity", "effect", "mode", "resourceType", "remediation", "references"], "properties": { "$schema": { "type": "string" }, "kind": { "enum": ["policy", "relation", "transition"] }, "name": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64 }, "displayName": { "type": "string", "minLength": 1, "maxLength": 128 }, "description": { "type": "string", "minLength": 1, "maxLength": 512 }, "category": { "type": "string", "minLength": 1 }, "version": { "type": "string", "pattern": "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$" }, "severity": { "enum": ["error", "warning", "note"] }, "effect": { "type": "object", "additionalProperties": false, "required": ["default", "allowed"], "properties": { "default": { "enum": ["Audit", "Deny", "Disabled", "AuditIfNotExists", "DeployIfNotExists", "Modify", "Append", "DenyAction", "Manual"] }, "allowed": { "type": "array", "minItems": 1, "uniqueItems": true, "items": { "enum": ["Audit", "Deny", "Disabled", "AuditIfNotExists", "DeployIfNotExists", "Modify", "Append", "DenyAction", "Manual"] } } } }, "mode": { "enum": ["All", "Indexed"] }, "resourceType": { "anyOf": [{ "type": "string", "pattern": "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" }, { "type": "array", "minItems": 1, "uniqueItems": true, "items": { "type": "string", "pattern": "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" } }] }, "appliesTo": { "type": ["object", "boolean"] }, "schema": { "type": ["object", "boolean"] }, "relation": { "type": "object" }, "remediation": { "type": "string" }, "references": { "type": "array", "items": { "type": "string", "pattern": "^https://" } }, "requirement": { "type": "string", "minLength": 1 } } };
    const func0 = Object.prototype.hasOwnProperty;
    const func15 = commonJs(ajv_dist_runtime_ucs2length_js__WEBPACK_IMPORTED_MODULE_2__["default"]).default;
    const func31 = commonJs(ajv_dist_runtime_equal_js__WEBPACK_IMPORTED_MODULE_1__["default"]).default;
    const pattern0 = new RegExp("^[a-z0-9]+(-[a-z0-9]+)*$", "u");
    const pattern1 = new RegExp("^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$", "u");
    const pattern2 = new RegExp("^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$", "u");
    const pattern4 = new RegExp("^https://", "u");
    function validate0(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://cmk-guard.dev/schemas/rule.json" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate0.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if ((data.name === undefined) || (!(func0.call(data, "name")))) {
            const err0 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "name" }, message: "must have required property '" + "name" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err0];
            }
            else {
                vErrors.push(err0);
            }
            errors++;
        }
        if ((data.displayName === undefined) || (!(func0.call(data, "displayName")))) {
            const err1 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "displayName" }, message: "must have required property '" + "displayName" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err1];
            }
            else {
                vErrors.push(err1);
            }
            errors++;
        }
        if ((data.description === undefined) || (!(func0.call(data, "description")))) {
            const err2 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "description" }, message: "must have required property '" + "description" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err2];
            }
            else {
                vErrors.push(err2);
            }
            errors++;
        }
        if ((data.category === undefined) || (!(func0.call(data, "category")))) {
            const err3 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "category" }, message: "must have required property '" + "category" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err3];
            }
            else {
                vErrors.push(err3);
            }
            errors++;
        }
        if ((data.version === undefined) || (!(func0.call(data, "version")))) {
            const err4 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "version" }, message: "must have required property '" + "version" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err4];
            }
            else {
                vErrors.push(err4);
            }
            errors++;
        }
        if ((data.severity === undefined) || (!(func0.call(data, "severity")))) {
            const err5 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "severity" }, message: "must have required property '" + "severity" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err5];
            }
            else {
                vErrors.push(err5);
            }
            errors++;
        }
        if ((data.effect === undefined) || (!(func0.call(data, "effect")))) {
            const err6 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "effect" }, message: "must have required property '" + "effect" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err6];
            }
            else {
                vErrors.push(err6);
            }
            errors++;
        }
        if ((data.mode === undefined) || (!(func0.call(data, "mode")))) {
            const err7 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "mode" }, message: "must have required property '" + "mode" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err7];
            }
            else {
                vErrors.push(err7);
            }
            errors++;
        }
        if ((data.resourceType === undefined) || (!(func0.call(data, "resourceType")))) {
            const err8 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "resourceType" }, message: "must have required property '" + "resourceType" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err8];
            }
            else {
                vErrors.push(err8);
            }
            errors++;
        }
        if ((data.remediation === undefined) || (!(func0.call(data, "remediation")))) {
            const err9 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "remediation" }, message: "must have required property '" + "remediation" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err9];
            }
            else {
                vErrors.push(err9);
            }
            errors++;
        }
        if ((data.references === undefined) || (!(func0.call(data, "references")))) {
            const err10 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "references" }, message: "must have required property '" + "references" + "'", schema: schema0.required, parentSchema: schema0, data };
            if (vErrors === null) {
                vErrors = [err10];
            }
            else {
                vErrors.push(err10);
            }
            errors++;
        }
        for (const key0 of Object.keys(data)) {
            if (!(func0.call(schema0.properties, key0))) {
                const err11 = { instancePath, schemaPath: "#/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key0 }, message: "must NOT have additional properties", schema: false, parentSchema: schema0, data };
                if (vErrors === null) {
                    vErrors = [err11];
                }
                else {
                    vErrors.push(err11);
                }
                errors++;
            }
        }
        if (data.$schema !== undefined && func0.call(data, "$schema")) {
            let data0 = data.$schema;
            if (typeof data0 !== "string") {
                const err12 = { instancePath: instancePath + "/$schema", schemaPath: "#/properties/%24schema/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.$schema.type, parentSchema: schema0.properties.$schema, data: data0 };
                if (vErrors === null) {
                    vErrors = [err12];
                }
                else {
                    vErrors.push(err12);
                }
                errors++;
            }
        }
        if (data.kind !== undefined && func0.call(data, "kind")) {
            let data1 = data.kind;
            if (!(((data1 === "policy") || (data1 === "relation")) || (data1 === "transition"))) {
                const err13 = { instancePath: instancePath + "/kind", schemaPath: "#/properties/kind/enum", keyword: "enum", params: { allowedValues: schema0.properties.kind.enum }, message: "must be equal to one of the allowed values", schema: schema0.properties.kind.enum, parentSchema: schema0.properties.kind, data: data1 };
                if (vErrors === null) {
                    vErrors = [err13];
                }
                else {
                    vErrors.push(err13);
                }
                errors++;
            }
        }
        if (data.name !== undefined && func0.call(data, "name")) {
            let data2 = data.name;
            if (typeof data2 === "string") {
                if (func15(data2) > 64) {
                    const err14 = { instancePath: instancePath + "/name", schemaPath: "#/properties/name/maxLength", keyword: "maxLength", params: { limit: 64 }, message: "must NOT have more than 64 characters", schema: 64, parentSchema: schema0.properties.name, data: data2 };
                    if (vErrors === null) {
                        vErrors = [err14];
                    }
                    else {
                        vErrors.push(err14);
                    }
                    errors++;
                }
                if (!pattern0.test(data2)) {
                    const err15 = { instancePath: instancePath + "/name", schemaPath: "#/properties/name/pattern", keyword: "pattern", params: { pattern: "^[a-z0-9]+(-[a-z0-9]+)*$" }, message: "must match pattern \"" + "^[a-z0-9]+(-[a-z0-9]+)*$" + "\"", schema: "^[a-z0-9]+(-[a-z0-9]+)*$", parentSchema: schema0.properties.name, data: data2 };
                    if (vErrors === null) {
                        vErrors = [err15];
                    }
                    else {
                        vErrors.push(err15);
                    }
                    errors++;
                }
            }
            else {
                const err16 = { instancePath: instancePath + "/name", schemaPath: "#/properties/name/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.name.type, parentSchema: schema0.properties.name, data: data2 };
                if (vErrors === null) {
                    vErrors = [err16];
                }
                else {
                    vErrors.push(err16);
                }
                errors++;
            }
        }
        if (data.displayName !== undefined && func0.call(data, "displayName")) {
            let data3 = data.displayName;
            if (typeof data3 === "string") {
                if (func15(data3) > 128) {
                    const err17 = { instancePath: instancePath + "/displayName", schemaPath: "#/properties/displayName/maxLength", keyword: "maxLength", params: { limit: 128 }, message: "must NOT have more than 128 characters", schema: 128, parentSchema: schema0.properties.displayName, data: data3 };
                    if (vErrors === null) {
                        vErrors = [err17];
                    }
                    else {
                        vErrors.push(err17);
                    }
                    errors++;
                }
                if (func15(data3) < 1) {
                    const err18 = { instancePath: instancePath + "/displayName", schemaPath: "#/properties/displayName/minLength", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters", schema: 1, parentSchema: schema0.properties.displayName, data: data3 };
                    if (vErrors === null) {
                        vErrors = [err18];
                    }
                    else {
                        vErrors.push(err18);
                    }
                    errors++;
                }
            }
            else {
                const err19 = { instancePath: instancePath + "/displayName", schemaPath: "#/properties/displayName/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.displayName.type, parentSchema: schema0.properties.displayName, data: data3 };
                if (vErrors === null) {
                    vErrors = [err19];
                }
                else {
                    vErrors.push(err19);
                }
                errors++;
            }
        }
        if (data.description !== undefined && func0.call(data, "description")) {
            let data4 = data.description;
            if (typeof data4 === "string") {
                if (func15(data4) > 512) {
                    const err20 = { instancePath: instancePath + "/description", schemaPath: "#/properties/description/maxLength", keyword: "maxLength", params: { limit: 512 }, message: "must NOT have more than 512 characters", schema: 512, parentSchema: schema0.properties.description, data: data4 };
                    if (vErrors === null) {
                        vErrors = [err20];
                    }
                    else {
                        vErrors.push(err20);
                    }
                    errors++;
                }
                if (func15(data4) < 1) {
                    const err21 = { instancePath: instancePath + "/description", schemaPath: "#/properties/description/minLength", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters", schema: 1, parentSchema: schema0.properties.description, data: data4 };
                    if (vErrors === null) {
                        vErrors = [err21];
                    }
                    else {
                        vErrors.push(err21);
                    }
                    errors++;
                }
            }
            else {
                const err22 = { instancePath: instancePath + "/description", schemaPath: "#/properties/description/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.description.type, parentSchema: schema0.properties.description, data: data4 };
                if (vErrors === null) {
                    vErrors = [err22];
                }
                else {
                    vErrors.push(err22);
                }
                errors++;
            }
        }
        if (data.category !== undefined && func0.call(data, "category")) {
            let data5 = data.category;
            if (typeof data5 === "string") {
                if (func15(data5) < 1) {
                    const err23 = { instancePath: instancePath + "/category", schemaPath: "#/properties/category/minLength", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters", schema: 1, parentSchema: schema0.properties.category, data: data5 };
                    if (vErrors === null) {
                        vErrors = [err23];
                    }
                    else {
                        vErrors.push(err23);
                    }
                    errors++;
                }
            }
            else {
                const err24 = { instancePath: instancePath + "/category", schemaPath: "#/properties/category/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.category.type, parentSchema: schema0.properties.category, data: data5 };
                if (vErrors === null) {
                    vErrors = [err24];
                }
                else {
                    vErrors.push(err24);
                }
                errors++;
            }
        }
        if (data.version !== undefined && func0.call(data, "version")) {
            let data6 = data.version;
            if (typeof data6 === "string") {
                if (!pattern1.test(data6)) {
                    const err25 = { instancePath: instancePath + "/version", schemaPath: "#/properties/version/pattern", keyword: "pattern", params: { pattern: "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$" }, message: "must match pattern \"" + "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$" + "\"", schema: "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$", parentSchema: schema0.properties.version, data: data6 };
                    if (vErrors === null) {
                        vErrors = [err25];
                    }
                    else {
                        vErrors.push(err25);
                    }
                    errors++;
                }
            }
            else {
                const err26 = { instancePath: instancePath + "/version", schemaPath: "#/properties/version/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.version.type, parentSchema: schema0.properties.version, data: data6 };
                if (vErrors === null) {
                    vErrors = [err26];
                }
                else {
                    vErrors.push(err26);
                }
                errors++;
            }
        }
        if (data.severity !== undefined && func0.call(data, "severity")) {
            let data7 = data.severity;
            if (!(((data7 === "error") || (data7 === "warning")) || (data7 === "note"))) {
                const err27 = { instancePath: instancePath + "/severity", schemaPath: "#/properties/severity/enum", keyword: "enum", params: { allowedValues: schema0.properties.severity.enum }, message: "must be equal to one of the allowed values", schema: schema0.properties.severity.enum, parentSchema: schema0.properties.severity, data: data7 };
                if (vErrors === null) {
                    vErrors = [err27];
                }
                else {
                    vErrors.push(err27);
                }
                errors++;
            }
        }
        if (data.effect !== undefined && func0.call(data, "effect")) {
            let data8 = data.effect;
            if (data8 && typeof data8 == "object" && !Array.isArray(data8)) {
                if ((data8.default === undefined) || (!(func0.call(data8, "default")))) {
                    const err28 = { instancePath: instancePath + "/effect", schemaPath: "#/properties/effect/required", keyword: "required", params: { missingProperty: "default" }, message: "must have required property '" + "default" + "'", schema: schema0.properties.effect.required, parentSchema: schema0.properties.effect, data: data8 };
                    if (vErrors === null) {
                        vErrors = [err28];
                    }
                    else {
                        vErrors.push(err28);
                    }
                    errors++;
                }
                if ((data8.allowed === undefined) || (!(func0.call(data8, "allowed")))) {
                    const err29 = { instancePath: instancePath + "/effect", schemaPath: "#/properties/effect/required", keyword: "required", params: { missingProperty: "allowed" }, message: "must have required property '" + "allowed" + "'", schema: schema0.properties.effect.required, parentSchema: schema0.properties.effect, data: data8 };
                    if (vErrors === null) {
                        vErrors = [err29];
                    }
                    else {
                        vErrors.push(err29);
                    }
                    errors++;
                }
                for (const key1 of Object.keys(data8)) {
                    if (!((key1 === "default") || (key1 === "allowed"))) {
                        const err30 = { instancePath: instancePath + "/effect", schemaPath: "#/properties/effect/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key1 }, message: "must NOT have additional properties", schema: false, parentSchema: schema0.properties.effect, data: data8 };
                        if (vErrors === null) {
                            vErrors = [err30];
                        }
                        else {
                            vErrors.push(err30);
                        }
                        errors++;
                    }
                }
                if (data8.default !== undefined && func0.call(data8, "default")) {
                    let data9 = data8.default;
                    if (!(((((((((data9 === "Audit") || (data9 === "Deny")) || (data9 === "Disabled")) || (data9 === "AuditIfNotExists")) || (data9 === "DeployIfNotExists")) || (data9 === "Modify")) || (data9 === "Append")) || (data9 === "DenyAction")) || (data9 === "Manual"))) {
                        const err31 = { instancePath: instancePath + "/effect/default", schemaPath: "#/properties/effect/properties/default/enum", keyword: "enum", params: { allowedValues: schema0.properties.effect.properties.default.enum }, message: "must be equal to one of the allowed values", schema: schema0.properties.effect.properties.default.enum, parentSchema: schema0.properties.effect.properties.default, data: data9 };
                        if (vErrors === null) {
                            vErrors = [err31];
                        }
                        else {
                            vErrors.push(err31);
                        }
                        errors++;
                    }
                }
                if (data8.allowed !== undefined && func0.call(data8, "allowed")) {
                    let data10 = data8.allowed;
                    if (Array.isArray(data10)) {
                        if (data10.length < 1) {
                            const err32 = { instancePath: instancePath + "/effect/allowed", schemaPath: "#/properties/effect/properties/allowed/minItems", keyword: "minItems", params: { limit: 1 }, message: "must NOT have fewer than 1 items", schema: 1, parentSchema: schema0.properties.effect.properties.allowed, data: data10 };
                            if (vErrors === null) {
                                vErrors = [err32];
                            }
                            else {
                                vErrors.push(err32);
                            }
                            errors++;
                        }
                        const len0 = data10.length;
                        for (let i0 = 0; i0 < len0; i0++) {
                            let data11 = data10[i0];
                            if (!(((((((((data11 === "Audit") || (data11 === "Deny")) || (data11 === "Disabled")) || (data11 === "AuditIfNotExists")) || (data11 === "DeployIfNotExists")) || (data11 === "Modify")) || (data11 === "Append")) || (data11 === "DenyAction")) || (data11 === "Manual"))) {
                                const err33 = { instancePath: instancePath + "/effect/allowed/" + i0, schemaPath: "#/properties/effect/properties/allowed/items/enum", keyword: "enum", params: { allowedValues: schema0.properties.effect.properties.allowed.items.enum }, message: "must be equal to one of the allowed values", schema: schema0.properties.effect.properties.allowed.items.enum, parentSchema: schema0.properties.effect.properties.allowed.items, data: data11 };
                                if (vErrors === null) {
                                    vErrors = [err33];
                                }
                                else {
                                    vErrors.push(err33);
                                }
                                errors++;
                            }
                        }
                        let i1 = data10.length;
                        let j0;
                        if (i1 > 1) {
                            outer0: for (; i1--;) {
                                for (j0 = i1; j0--;) {
                                    if (func31(data10[i1], data10[j0])) {
                                        const err34 = { instancePath: instancePath + "/effect/allowed", schemaPath: "#/properties/effect/properties/allowed/uniqueItems", keyword: "uniqueItems", params: { i: i1, j: j0 }, message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)", schema: true, parentSchema: schema0.properties.effect.properties.allowed, data: data10 };
                                        if (vErrors === null) {
                                            vErrors = [err34];
                                        }
                                        else {
                                            vErrors.push(err34);
                                        }
                                        errors++;
                                        break outer0;
                                    }
                                }
                            }
                        }
                    }
                    else {
                        const err35 = { instancePath: instancePath + "/effect/allowed", schemaPath: "#/properties/effect/properties/allowed/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema0.properties.effect.properties.allowed.type, parentSchema: schema0.properties.effect.properties.allowed, data: data10 };
                        if (vErrors === null) {
                            vErrors = [err35];
                        }
                        else {
                            vErrors.push(err35);
                        }
                        errors++;
                    }
                }
            }
            else {
                const err36 = { instancePath: instancePath + "/effect", schemaPath: "#/properties/effect/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema0.properties.effect.type, parentSchema: schema0.properties.effect, data: data8 };
                if (vErrors === null) {
                    vErrors = [err36];
                }
                else {
                    vErrors.push(err36);
                }
                errors++;
            }
        }
        if (data.mode !== undefined && func0.call(data, "mode")) {
            let data12 = data.mode;
            if (!((data12 === "All") || (data12 === "Indexed"))) {
                const err37 = { instancePath: instancePath + "/mode", schemaPath: "#/properties/mode/enum", keyword: "enum", params: { allowedValues: schema0.properties.mode.enum }, message: "must be equal to one of the allowed values", schema: schema0.properties.mode.enum, parentSchema: schema0.properties.mode, data: data12 };
                if (vErrors === null) {
                    vErrors = [err37];
                }
                else {
                    vErrors.push(err37);
                }
                errors++;
            }
        }
        if (data.resourceType !== undefined && func0.call(data, "resourceType")) {
            let data13 = data.resourceType;
            const _errs25 = errors;
            let valid5 = false;
            const _errs26 = errors;
            if (typeof data13 === "string") {
                if (!pattern2.test(data13)) {
                    const err38 = { instancePath: instancePath + "/resourceType", schemaPath: "#/properties/resourceType/anyOf/0/pattern", keyword: "pattern", params: { pattern: "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" }, message: "must match pattern \"" + "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" + "\"", schema: "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$", parentSchema: schema0.properties.resourceType.anyOf[0], data: data13 };
                    if (vErrors === null) {
                        vErrors = [err38];
                    }
                    else {
                        vErrors.push(err38);
                    }
                    errors++;
                }
            }
            else {
                const err39 = { instancePath: instancePath + "/resourceType", schemaPath: "#/properties/resourceType/anyOf/0/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.resourceType.anyOf[0].type, parentSchema: schema0.properties.resourceType.anyOf[0], data: data13 };
                if (vErrors === null) {
                    vErrors = [err39];
                }
                else {
                    vErrors.push(err39);
                }
                errors++;
            }
            var _valid0 = _errs26 === errors;
            valid5 = valid5 || _valid0;
            const _errs28 = errors;
            if (Array.isArray(data13)) {
                if (data13.length < 1) {
                    const err40 = { instancePath: instancePath + "/resourceType", schemaPath: "#/properties/resourceType/anyOf/1/minItems", keyword: "minItems", params: { limit: 1 }, message: "must NOT have fewer than 1 items", schema: 1, parentSchema: schema0.properties.resourceType.anyOf[1], data: data13 };
                    if (vErrors === null) {
                        vErrors = [err40];
                    }
                    else {
                        vErrors.push(err40);
                    }
                    errors++;
                }
                const len1 = data13.length;
                for (let i2 = 0; i2 < len1; i2++) {
                    let data14 = data13[i2];
                    if (typeof data14 === "string") {
                        if (!pattern2.test(data14)) {
                            const err41 = { instancePath: instancePath + "/resourceType/" + i2, schemaPath: "#/properties/resourceType/anyOf/1/items/pattern", keyword: "pattern", params: { pattern: "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" }, message: "must match pattern \"" + "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" + "\"", schema: "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$", parentSchema: schema0.properties.resourceType.anyOf[1].items, data: data14 };
                            if (vErrors === null) {
                                vErrors = [err41];
                            }
                            else {
                                vErrors.push(err41);
                            }
                            errors++;
                        }
                    }
                    else {
                        const err42 = { instancePath: instancePath + "/resourceType/" + i2, schemaPath: "#/properties/resourceType/anyOf/1/items/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.resourceType.anyOf[1].items.type, parentSchema: schema0.properties.resourceType.anyOf[1].items, data: data14 };
                        if (vErrors === null) {
                            vErrors = [err42];
                        }
                        else {
                            vErrors.push(err42);
                        }
                        errors++;
                    }
                }
                let i3 = data13.length;
                let j1;
                if (i3 > 1) {
                    const indices0 = {};
                    for (; i3--;) {
                        let item0 = data13[i3];
                        if (typeof item0 !== "string") {
                            continue;
                        }
                        if (typeof indices0[item0] == "number") {
                            j1 = indices0[item0];
                            const err43 = { instancePath: instancePath + "/resourceType", schemaPath: "#/properties/resourceType/anyOf/1/uniqueItems", keyword: "uniqueItems", params: { i: i3, j: j1 }, message: "must NOT have duplicate items (items ## " + j1 + " and " + i3 + " are identical)", schema: true, parentSchema: schema0.properties.resourceType.anyOf[1], data: data13 };
                            if (vErrors === null) {
                                vErrors = [err43];
                            }
                            else {
                                vErrors.push(err43);
                            }
                            errors++;
                            break;
                        }
                        indices0[item0] = i3;
                    }
                }
            }
            else {
                const err44 = { instancePath: instancePath + "/resourceType", schemaPath: "#/properties/resourceType/anyOf/1/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema0.properties.resourceType.anyOf[1].type, parentSchema: schema0.properties.resourceType.anyOf[1], data: data13 };
                if (vErrors === null) {
                    vErrors = [err44];
                }
                else {
                    vErrors.push(err44);
                }
                errors++;
            }
            var _valid0 = _errs28 === errors;
            valid5 = valid5 || _valid0;
            if (!valid5) {
                const err45 = { instancePath: instancePath + "/resourceType", schemaPath: "#/properties/resourceType/anyOf", keyword: "anyOf", params: {}, message: "must match a schema in anyOf", schema: schema0.properties.resourceType.anyOf, parentSchema: schema0.properties.resourceType, data: data13 };
                if (vErrors === null) {
                    vErrors = [err45];
                }
                else {
                    vErrors.push(err45);
                }
                errors++;
            }
            else {
                errors = _errs25;
                if (vErrors !== null) {
                    if (_errs25) {
                        vErrors.length = _errs25;
                    }
                    else {
                        vErrors = null;
                    }
                }
            }
        }
        if (data.appliesTo !== undefined && func0.call(data, "appliesTo")) {
            let data15 = data.appliesTo;
            if ((!(data15 && typeof data15 == "object" && !Array.isArray(data15))) && (typeof data15 !== "boolean")) {
                const err46 = { instancePath: instancePath + "/appliesTo", schemaPath: "#/properties/appliesTo/type", keyword: "type", params: { type: schema0.properties.appliesTo.type }, message: "must be object,boolean", schema: schema0.properties.appliesTo.type, parentSchema: schema0.properties.appliesTo, data: data15 };
                if (vErrors === null) {
                    vErrors = [err46];
                }
                else {
                    vErrors.push(err46);
                }
                errors++;
            }
        }
        if (data.schema !== undefined && func0.call(data, "schema")) {
            let data16 = data.schema;
            if ((!(data16 && typeof data16 == "object" && !Array.isArray(data16))) && (typeof data16 !== "boolean")) {
                const err47 = { instancePath: instancePath + "/schema", schemaPath: "#/properties/schema/type", keyword: "type", params: { type: schema0.properties.schema.type }, message: "must be object,boolean", schema: schema0.properties.schema.type, parentSchema: schema0.properties.schema, data: data16 };
                if (vErrors === null) {
                    vErrors = [err47];
                }
                else {
                    vErrors.push(err47);
                }
                errors++;
            }
        }
        if (data.relation !== undefined && func0.call(data, "relation")) {
            let data17 = data.relation;
            if (!(data17 && typeof data17 == "object" && !Array.isArray(data17))) {
                const err48 = { instancePath: instancePath + "/relation", schemaPath: "#/properties/relation/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema0.properties.relation.type, parentSchema: schema0.properties.relation, data: data17 };
                if (vErrors === null) {
                    vErrors = [err48];
                }
                else {
                    vErrors.push(err48);
                }
                errors++;
            }
        }
        if (data.remediation !== undefined && func0.call(data, "remediation")) {
            let data18 = data.remediation;
            if (typeof data18 !== "string") {
                const err49 = { instancePath: instancePath + "/remediation", schemaPath: "#/properties/remediation/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.remediation.type, parentSchema: schema0.properties.remediation, data: data18 };
                if (vErrors === null) {
                    vErrors = [err49];
                }
                else {
                    vErrors.push(err49);
                }
                errors++;
            }
        }
        if (data.references !== undefined && func0.call(data, "references")) {
            let data19 = data.references;
            if (Array.isArray(data19)) {
                const len2 = data19.length;
                for (let i4 = 0; i4 < len2; i4++) {
                    let data20 = data19[i4];
                    if (typeof data20 === "string") {
                        if (!pattern4.test(data20)) {
                            const err50 = { instancePath: instancePath + "/references/" + i4, schemaPath: "#/properties/references/items/pattern", keyword: "pattern", params: { pattern: "^https://" }, message: "must match pattern \"" + "^https://" + "\"", schema: "^https://", parentSchema: schema0.properties.references.items, data: data20 };
                            if (vErrors === null) {
                                vErrors = [err50];
                            }
                            else {
                                vErrors.push(err50);
                            }
                            errors++;
                        }
                    }
                    else {
                        const err51 = { instancePath: instancePath + "/references/" + i4, schemaPath: "#/properties/references/items/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.references.items.type, parentSchema: schema0.properties.references.items, data: data20 };
                        if (vErrors === null) {
                            vErrors = [err51];
                        }
                        else {
                            vErrors.push(err51);
                        }
                        errors++;
                    }
                }
            }
            else {
                const err52 = { instancePath: instancePath + "/references", schemaPath: "#/properties/references/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema0.properties.references.type, parentSchema: schema0.properties.references, data: data19 };
                if (vErrors === null) {
                    vErrors = [err52];
                }
                else {
                    vErrors.push(err52);
                }
                errors++;
            }
        }
        if (data.requirement !== undefined && func0.call(data, "requirement")) {
            let data21 = data.requirement;
            if (typeof data21 === "string") {
                if (func15(data21) < 1) {
                    const err53 = { instancePath: instancePath + "/requirement", schemaPath: "#/properties/requirement/minLength", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters", schema: 1, parentSchema: schema0.properties.requirement, data: data21 };
                    if (vErrors === null) {
                        vErrors = [err53];
                    }
                    else {
                        vErrors.push(err53);
                    }
                    errors++;
                }
            }
            else {
                const err54 = { instancePath: instancePath + "/requirement", schemaPath: "#/properties/requirement/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema0.properties.requirement.type, parentSchema: schema0.properties.requirement, data: data21 };
                if (vErrors === null) {
                    vErrors = [err54];
                }
                else {
                    vErrors.push(err54);
                }
                errors++;
            }
        }
    }
    else {
        const err55 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema0.type, parentSchema: schema0, data };
        if (vErrors === null) {
            vErrors = [err55];
        }
        else {
            vErrors.push(err55);
        }
        errors++;
    } validate0.errors = vErrors; return errors === 0; }
    validate0.evaluated = { "props": true, "dynamicProps": false, "dynamicItems": false };
    exports.packFile = validate1;
    const schema1 = { "$id": "https://cmk-guard.dev/schemas/pack.json", "type": "object", "additionalProperties": false, "required": ["name", "displayName", "description", "version", "rules"], "properties": { "$schema": { "type": "string" }, "name": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64 }, "displayName": { "type": "string", "minLength": 1, "maxLength": 128 }, "description": { "type": "string", "minLength": 1, "maxLength": 512 }, "version": { "type": "string", "pattern": "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$" }, "rules": { "type": "array", "minItems": 1, "uniqueItems": true, "items": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" } } } };
    function validate1(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { /*# sourceURL="https://cmk-guard.dev/schemas/pack.json" */ ; let vErrors = null; let errors = 0; const evaluated0 = validate1.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if ((data.name === undefined) || (!(func0.call(data, "name")))) {
            const err0 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "name" }, message: "must have required property '" + "name" + "'", schema: schema1.required, parentSchema: schema1, data };
            if (vErrors === null) {
                vErrors = [err0];
            }
            else {
                vErrors.push(err0);
            }
            errors++;
        }
        if ((data.displayName === undefined) || (!(func0.call(data, "displayName")))) {
            const err1 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "displayName" }, message: "must have required property '" + "displayName" + "'", schema: schema1.required, parentSchema: schema1, data };
            if (vErrors === null) {
                vErrors = [err1];
            }
            else {
                vErrors.push(err1);
            }
            errors++;
        }
        if ((data.description === undefined) || (!(func0.call(data, "description")))) {
            const err2 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "description" }, message: "must have required property '" + "description" + "'", schema: schema1.required, parentSchema: schema1, data };
            if (vErrors === null) {
                vErrors = [err2];
            }
            else {
                vErrors.push(err2);
            }
            errors++;
        }
        if ((data.version === undefined) || (!(func0.call(data, "version")))) {
            const err3 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "version" }, message: "must have required property '" + "version" + "'", schema: schema1.required, parentSchema: schema1, data };
            if (vErrors === null) {
                vErrors = [err3];
            }
            else {
                vErrors.push(err3);
            }
            errors++;
        }
        if ((data.rules === undefined) || (!(func0.call(data, "rules")))) {
            const err4 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "rules" }, message: "must have required property '" + "rules" + "'", schema: schema1.required, parentSchema: schema1, data };
            if (vErrors === null) {
                vErrors = [err4];
            }
            else {
                vErrors.push(err4);
            }
            errors++;
        }
        for (const key0 of Object.keys(data)) {
            if (!((((((key0 === "$schema") || (key0 === "name")) || (key0 === "displayName")) || (key0 === "description")) || (key0 === "version")) || (key0 === "rules"))) {
                const err5 = { instancePath, schemaPath: "#/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key0 }, message: "must NOT have additional properties", schema: false, parentSchema: schema1, data };
                if (vErrors === null) {
                    vErrors = [err5];
                }
                else {
                    vErrors.push(err5);
                }
                errors++;
            }
        }
        if (data.$schema !== undefined && func0.call(data, "$schema")) {
            let data0 = data.$schema;
            if (typeof data0 !== "string") {
                const err6 = { instancePath: instancePath + "/$schema", schemaPath: "#/properties/%24schema/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema1.properties.$schema.type, parentSchema: schema1.properties.$schema, data: data0 };
                if (vErrors === null) {
                    vErrors = [err6];
                }
                else {
                    vErrors.push(err6);
                }
                errors++;
            }
        }
        if (data.name !== undefined && func0.call(data, "name")) {
            let data1 = data.name;
            if (typeof data1 === "string") {
                if (func15(data1) > 64) {
                    const err7 = { instancePath: instancePath + "/name", schemaPath: "#/properties/name/maxLength", keyword: "maxLength", params: { limit: 64 }, message: "must NOT have more than 64 characters", schema: 64, parentSchema: schema1.properties.name, data: data1 };
                    if (vErrors === null) {
                        vErrors = [err7];
                    }
                    else {
                        vErrors.push(err7);
                    }
                    errors++;
                }
                if (!pattern0.test(data1)) {
                    const err8 = { instancePath: instancePath + "/name", schemaPath: "#/properties/name/pattern", keyword: "pattern", params: { pattern: "^[a-z0-9]+(-[a-z0-9]+)*$" }, message: "must match pattern \"" + "^[a-z0-9]+(-[a-z0-9]+)*$" + "\"", schema: "^[a-z0-9]+(-[a-z0-9]+)*$", parentSchema: schema1.properties.name, data: data1 };
                    if (vErrors === null) {
                        vErrors = [err8];
                    }
                    else {
                        vErrors.push(err8);
                    }
                    errors++;
                }
            }
            else {
                const err9 = { instancePath: instancePath + "/name", schemaPath: "#/properties/name/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema1.properties.name.type, parentSchema: schema1.properties.name, data: data1 };
                if (vErrors === null) {
                    vErrors = [err9];
                }
                else {
                    vErrors.push(err9);
                }
                errors++;
            }
        }
        if (data.displayName !== undefined && func0.call(data, "displayName")) {
            let data2 = data.displayName;
            if (typeof data2 === "string") {
                if (func15(data2) > 128) {
                    const err10 = { instancePath: instancePath + "/displayName", schemaPath: "#/properties/displayName/maxLength", keyword: "maxLength", params: { limit: 128 }, message: "must NOT have more than 128 characters", schema: 128, parentSchema: schema1.properties.displayName, data: data2 };
                    if (vErrors === null) {
                        vErrors = [err10];
                    }
                    else {
                        vErrors.push(err10);
                    }
                    errors++;
                }
                if (func15(data2) < 1) {
                    const err11 = { instancePath: instancePath + "/displayName", schemaPath: "#/properties/displayName/minLength", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters", schema: 1, parentSchema: schema1.properties.displayName, data: data2 };
                    if (vErrors === null) {
                        vErrors = [err11];
                    }
                    else {
                        vErrors.push(err11);
                    }
                    errors++;
                }
            }
            else {
                const err12 = { instancePath: instancePath + "/displayName", schemaPath: "#/properties/displayName/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema1.properties.displayName.type, parentSchema: schema1.properties.displayName, data: data2 };
                if (vErrors === null) {
                    vErrors = [err12];
                }
                else {
                    vErrors.push(err12);
                }
                errors++;
            }
        }
        if (data.description !== undefined && func0.call(data, "description")) {
            let data3 = data.description;
            if (typeof data3 === "string") {
                if (func15(data3) > 512) {
                    const err13 = { instancePath: instancePath + "/description", schemaPath: "#/properties/description/maxLength", keyword: "maxLength", params: { limit: 512 }, message: "must NOT have more than 512 characters", schema: 512, parentSchema: schema1.properties.description, data: data3 };
                    if (vErrors === null) {
                        vErrors = [err13];
                    }
                    else {
                        vErrors.push(err13);
                    }
                    errors++;
                }
                if (func15(data3) < 1) {
                    const err14 = { instancePath: instancePath + "/description", schemaPath: "#/properties/description/minLength", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters", schema: 1, parentSchema: schema1.properties.description, data: data3 };
                    if (vErrors === null) {
                        vErrors = [err14];
                    }
                    else {
                        vErrors.push(err14);
                    }
                    errors++;
                }
            }
            else {
                const err15 = { instancePath: instancePath + "/description", schemaPath: "#/properties/description/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema1.properties.description.type, parentSchema: schema1.properties.description, data: data3 };
                if (vErrors === null) {
                    vErrors = [err15];
                }
                else {
                    vErrors.push(err15);
                }
                errors++;
            }
        }
        if (data.version !== undefined && func0.call(data, "version")) {
            let data4 = data.version;
            if (typeof data4 === "string") {
                if (!pattern1.test(data4)) {
                    const err16 = { instancePath: instancePath + "/version", schemaPath: "#/properties/version/pattern", keyword: "pattern", params: { pattern: "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$" }, message: "must match pattern \"" + "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$" + "\"", schema: "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$", parentSchema: schema1.properties.version, data: data4 };
                    if (vErrors === null) {
                        vErrors = [err16];
                    }
                    else {
                        vErrors.push(err16);
                    }
                    errors++;
                }
            }
            else {
                const err17 = { instancePath: instancePath + "/version", schemaPath: "#/properties/version/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema1.properties.version.type, parentSchema: schema1.properties.version, data: data4 };
                if (vErrors === null) {
                    vErrors = [err17];
                }
                else {
                    vErrors.push(err17);
                }
                errors++;
            }
        }
        if (data.rules !== undefined && func0.call(data, "rules")) {
            let data5 = data.rules;
            if (Array.isArray(data5)) {
                if (data5.length < 1) {
                    const err18 = { instancePath: instancePath + "/rules", schemaPath: "#/properties/rules/minItems", keyword: "minItems", params: { limit: 1 }, message: "must NOT have fewer than 1 items", schema: 1, parentSchema: schema1.properties.rules, data: data5 };
                    if (vErrors === null) {
                        vErrors = [err18];
                    }
                    else {
                        vErrors.push(err18);
                    }
                    errors++;
                }
                const len0 = data5.length;
                for (let i0 = 0; i0 < len0; i0++) {
                    let data6 = data5[i0];
                    if (typeof data6 === "string") {
                        if (!pattern0.test(data6)) {
                            const err19 = { instancePath: instancePath + "/rules/" + i0, schemaPath: "#/properties/rules/items/pattern", keyword: "pattern", params: { pattern: "^[a-z0-9]+(-[a-z0-9]+)*$" }, message: "must match pattern \"" + "^[a-z0-9]+(-[a-z0-9]+)*$" + "\"", schema: "^[a-z0-9]+(-[a-z0-9]+)*$", parentSchema: schema1.properties.rules.items, data: data6 };
                            if (vErrors === null) {
                                vErrors = [err19];
                            }
                            else {
                                vErrors.push(err19);
                            }
                            errors++;
                        }
                    }
                    else {
                        const err20 = { instancePath: instancePath + "/rules/" + i0, schemaPath: "#/properties/rules/items/type", keyword: "type", params: { type: "string" }, message: "must be string", schema: schema1.properties.rules.items.type, parentSchema: schema1.properties.rules.items, data: data6 };
                        if (vErrors === null) {
                            vErrors = [err20];
                        }
                        else {
                            vErrors.push(err20);
                        }
                        errors++;
                    }
                }
                let i1 = data5.length;
                let j0;
                if (i1 > 1) {
                    const indices0 = {};
                    for (; i1--;) {
                        let item0 = data5[i1];
                        if (typeof item0 !== "string") {
                            continue;
                        }
                        if (typeof indices0[item0] == "number") {
                            j0 = indices0[item0];
                            const err21 = { instancePath: instancePath + "/rules", schemaPath: "#/properties/rules/uniqueItems", keyword: "uniqueItems", params: { i: i1, j: j0 }, message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)", schema: true, parentSchema: schema1.properties.rules, data: data5 };
                            if (vErrors === null) {
                                vErrors = [err21];
                            }
                            else {
                                vErrors.push(err21);
                            }
                            errors++;
                            break;
                        }
                        indices0[item0] = i1;
                    }
                }
            }
            else {
                const err22 = { instancePath: instancePath + "/rules", schemaPath: "#/properties/rules/type", keyword: "type", params: { type: "array" }, message: "must be array", schema: schema1.properties.rules.type, parentSchema: schema1.properties.rules, data: data5 };
                if (vErrors === null) {
                    vErrors = [err22];
                }
                else {
                    vErrors.push(err22);
                }
                errors++;
            }
        }
    }
    else {
        const err23 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: "object" }, message: "must be object", schema: schema1.type, parentSchema: schema1, data };
        if (vErrors === null) {
            vErrors = [err23];
        }
        else {
            vErrors.push(err23);
        }
        errors++;
    } validate1.errors = vErrors; return errors === 0; }
    validate1.evaluated = { "props": true, "dynamicProps": false, "dynamicItems": false };
    return module.exports;
});
const relationSpecs = once(() => {
    const module = { exports: {} };
    const exports = module.exports;
    exports.relationSpec = validate0;
    const schema0 = { "type": "object", "additionalProperties": false, "required": ["target", "grants"], "properties": { "target": { "type": "object", "additionalProperties": false, "required": ["type", "on"], "properties": { "type": { "type": "string", "pattern": "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" }, "on": { "type": "array", "minItems": 1, "items": { "type": "object", "additionalProperties": false, "required": ["subject", "target"], "properties": { "subject": { "type": "string", "pattern": "^(/[^/]+)+$" }, "target": { "type": "string", "pattern": "^(/[^/]+)+$" } } } } } }, "principal": { "type": "object", "additionalProperties": false, "properties": { "userAssignedIdentity": { "type": "array", "items": { "type": "string", "pattern": "^(/[^/]+)+$" } }, "clientId": { "type": "array", "items": { "type": "string", "pattern": "^(/[^/]+)+$" } } } }, "grants": { "type": "object", "additionalProperties": false, "minProperties": 1, "properties": { "rbacSwitch": { "type": "string", "pattern": "^(/[^/]+)+$" }, "accessPolicy": { "type": ["object", "boolean"] }, "roleAssignment": { "type": ["object", "boolean"] }, "accessPolicyOnly": { "type": ["object", "boolean"] } } } } };
    const func0 = Object.prototype.hasOwnProperty;
    const func6 = linearRegExp;
    const pattern0 = func6("^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$", "u");
    const pattern1 = func6("^(/[^/]+)+$", "u");
    function validate0(data, { instancePath = "", parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {}) { let vErrors = null; let errors = 0; const evaluated0 = validate0.evaluated; if (evaluated0.dynamicProps) {
        evaluated0.props = undefined;
    } if (evaluated0.dynamicItems) {
        evaluated0.items = undefined;
    } if (data && typeof data == "object" && !Array.isArray(data)) {
        if ((data.target === undefined) || (!(func0.call(data, "target")))) {
            const err0 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "target" }, message: "must have required property '" + "target" + "'" };
            if (vErrors === null) {
                vErrors = [err0];
            }
            else {
                vErrors.push(err0);
            }
            errors++;
        }
        if ((data.grants === undefined) || (!(func0.call(data, "grants")))) {
            const err1 = { instancePath, schemaPath: "#/required", keyword: "required", params: { missingProperty: "grants" }, message: "must have required property '" + "grants" + "'" };
            if (vErrors === null) {
                vErrors = [err1];
            }
            else {
                vErrors.push(err1);
            }
            errors++;
        }
        for (const key0 of Object.keys(data)) {
            if (!(((key0 === "target") || (key0 === "principal")) || (key0 === "grants"))) {
                const err2 = { instancePath, schemaPath: "#/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key0 }, message: "must NOT have additional properties" };
                if (vErrors === null) {
                    vErrors = [err2];
                }
                else {
                    vErrors.push(err2);
                }
                errors++;
            }
        }
        if (data.target !== undefined && func0.call(data, "target")) {
            let data0 = data.target;
            if (data0 && typeof data0 == "object" && !Array.isArray(data0)) {
                if ((data0.type === undefined) || (!(func0.call(data0, "type")))) {
                    const err3 = { instancePath: instancePath + "/target", schemaPath: "#/properties/target/required", keyword: "required", params: { missingProperty: "type" }, message: "must have required property '" + "type" + "'" };
                    if (vErrors === null) {
                        vErrors = [err3];
                    }
                    else {
                        vErrors.push(err3);
                    }
                    errors++;
                }
                if ((data0.on === undefined) || (!(func0.call(data0, "on")))) {
                    const err4 = { instancePath: instancePath + "/target", schemaPath: "#/properties/target/required", keyword: "required", params: { missingProperty: "on" }, message: "must have required property '" + "on" + "'" };
                    if (vErrors === null) {
                        vErrors = [err4];
                    }
                    else {
                        vErrors.push(err4);
                    }
                    errors++;
                }
                for (const key1 of Object.keys(data0)) {
                    if (!((key1 === "type") || (key1 === "on"))) {
                        const err5 = { instancePath: instancePath + "/target", schemaPath: "#/properties/target/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key1 }, message: "must NOT have additional properties" };
                        if (vErrors === null) {
                            vErrors = [err5];
                        }
                        else {
                            vErrors.push(err5);
                        }
                        errors++;
                    }
                }
                if (data0.type !== undefined && func0.call(data0, "type")) {
                    let data1 = data0.type;
                    if (typeof data1 === "string") {
                        if (!pattern0.test(data1)) {
                            const err6 = { instancePath: instancePath + "/target/type", schemaPath: "#/properties/target/properties/type/pattern", keyword: "pattern", params: { pattern: "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" }, message: "must match pattern \"" + "^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$" + "\"" };
                            if (vErrors === null) {
                                vErrors = [err6];
                            }
                            else {
                                vErrors.push(err6);
                            }
                            errors++;
                        }
                    }
                    else {
                        const err7 = { instancePath: instancePath + "/target/type", schemaPath: "#/properties/target/properties/type/type", keyword: "type", params: { type: "string" }, message: "must be string" };
                        if (vErrors === null) {
                            vErrors = [err7];
                        }
                        else {
                            vErrors.push(err7);
                        }
                        errors++;
                    }
                }
                if (data0.on !== undefined && func0.call(data0, "on")) {
                    let data2 = data0.on;
                    if (Array.isArray(data2)) {
                        if (data2.length < 1) {
                            const err8 = { instancePath: instancePath + "/target/on", schemaPath: "#/properties/target/properties/on/minItems", keyword: "minItems", params: { limit: 1 }, message: "must NOT have fewer than 1 items" };
                            if (vErrors === null) {
                                vErrors = [err8];
                            }
                            else {
                                vErrors.push(err8);
                            }
                            errors++;
                        }
                        const len0 = data2.length;
                        for (let i0 = 0; i0 < len0; i0++) {
                            let data3 = data2[i0];
                            if (data3 && typeof data3 == "object" && !Array.isArray(data3)) {
                                if ((data3.subject === undefined) || (!(func0.call(data3, "subject")))) {
                                    const err9 = { instancePath: instancePath + "/target/on/" + i0, schemaPath: "#/properties/target/properties/on/items/required", keyword: "required", params: { missingProperty: "subject" }, message: "must have required property '" + "subject" + "'" };
                                    if (vErrors === null) {
                                        vErrors = [err9];
                                    }
                                    else {
                                        vErrors.push(err9);
                                    }
                                    errors++;
                                }
                                if ((data3.target === undefined) || (!(func0.call(data3, "target")))) {
                                    const err10 = { instancePath: instancePath + "/target/on/" + i0, schemaPath: "#/properties/target/properties/on/items/required", keyword: "required", params: { missingProperty: "target" }, message: "must have required property '" + "target" + "'" };
                                    if (vErrors === null) {
                                        vErrors = [err10];
                                    }
                                    else {
                                        vErrors.push(err10);
                                    }
                                    errors++;
                                }
                                for (const key2 of Object.keys(data3)) {
                                    if (!((key2 === "subject") || (key2 === "target"))) {
                                        const err11 = { instancePath: instancePath + "/target/on/" + i0, schemaPath: "#/properties/target/properties/on/items/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key2 }, message: "must NOT have additional properties" };
                                        if (vErrors === null) {
                                            vErrors = [err11];
                                        }
                                        else {
                                            vErrors.push(err11);
                                        }
                                        errors++;
                                    }
                                }
                                if (data3.subject !== undefined && func0.call(data3, "subject")) {
                                    let data4 = data3.subject;
                                    if (typeof data4 === "string") {
                                        if (!pattern1.test(data4)) {
                                            const err12 = { instancePath: instancePath + "/target/on/" + i0 + "/subject", schemaPath: "#/properties/target/properties/on/items/properties/subject/pattern", keyword: "pattern", params: { pattern: "^(/[^/]+)+$" }, message: "must match pattern \"" + "^(/[^/]+)+$" + "\"" };
                                            if (vErrors === null) {
                                                vErrors = [err12];
                                            }
                                            else {
                                                vErrors.push(err12);
                                            }
                                            errors++;
                                        }
                                    }
                                    else {
                                        const err13 = { instancePath: instancePath + "/target/on/" + i0 + "/subject", schemaPath: "#/properties/target/properties/on/items/properties/subject/type", keyword: "type", params: { type: "string" }, message: "must be string" };
                                        if (vErrors === null) {
                                            vErrors = [err13];
                                        }
                                        else {
                                            vErrors.push(err13);
                                        }
                                        errors++;
                                    }
                                }
                                if (data3.target !== undefined && func0.call(data3, "target")) {
                                    let data5 = data3.target;
                                    if (typeof data5 === "string") {
                                        if (!pattern1.test(data5)) {
                                            const err14 = { instancePath: instancePath + "/target/on/" + i0 + "/target", schemaPath: "#/properties/target/properties/on/items/properties/target/pattern", keyword: "pattern", params: { pattern: "^(/[^/]+)+$" }, message: "must match pattern \"" + "^(/[^/]+)+$" + "\"" };
                                            if (vErrors === null) {
                                                vErrors = [err14];
                                            }
                                            else {
                                                vErrors.push(err14);
                                            }
                                            errors++;
                                        }
                                    }
                                    else {
                                        const err15 = { instancePath: instancePath + "/target/on/" + i0 + "/target", schemaPath: "#/properties/target/properties/on/items/properties/target/type", keyword: "type", params: { type: "string" }, message: "must be string" };
                                        if (vErrors === null) {
                                            vErrors = [err15];
                                        }
                                        else {
                                            vErrors.push(err15);
                                        }
                                        errors++;
                                    }
                                }
                            }
                            else {
                                const err16 = { instancePath: instancePath + "/target/on/" + i0, schemaPath: "#/properties/target/properties/on/items/type", keyword: "type", params: { type: "object" }, message: "must be object" };
                                if (vErrors === null) {
                                    vErrors = [err16];
                                }
                                else {
                                    vErrors.push(err16);
                                }
                                errors++;
                            }
                        }
                    }
                    else {
                        const err17 = { instancePath: instancePath + "/target/on", schemaPath: "#/properties/target/properties/on/type", keyword: "type", params: { type: "array" }, message: "must be array" };
                        if (vErrors === null) {
                            vErrors = [err17];
                        }
                        else {
                            vErrors.push(err17);
                        }
                        errors++;
                    }
                }
            }
            else {
                const err18 = { instancePath: instancePath + "/target", schemaPath: "#/properties/target/type", keyword: "type", params: { type: "object" }, message: "must be object" };
                if (vErrors === null) {
                    vErrors = [err18];
                }
                else {
                    vErrors.push(err18);
                }
                errors++;
            }
        }
        if (data.principal !== undefined && func0.call(data, "principal")) {
            let data6 = data.principal;
            if (data6 && typeof data6 == "object" && !Array.isArray(data6)) {
                for (const key3 of Object.keys(data6)) {
                    if (!((key3 === "userAssignedIdentity") || (key3 === "clientId"))) {
                        const err19 = { instancePath: instancePath + "/principal", schemaPath: "#/properties/principal/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key3 }, message: "must NOT have additional properties" };
                        if (vErrors === null) {
                            vErrors = [err19];
                        }
                        else {
                            vErrors.push(err19);
                        }
                        errors++;
                    }
                }
                if (data6.userAssignedIdentity !== undefined && func0.call(data6, "userAssignedIdentity")) {
                    let data7 = data6.userAssignedIdentity;
                    if (Array.isArray(data7)) {
                        const len1 = data7.length;
                        for (let i1 = 0; i1 < len1; i1++) {
                            let data8 = data7[i1];
                            if (typeof data8 === "string") {
                                if (!pattern1.test(data8)) {
                                    const err20 = { instancePath: instancePath + "/principal/userAssignedIdentity/" + i1, schemaPath: "#/properties/principal/properties/userAssignedIdentity/items/pattern", keyword: "pattern", params: { pattern: "^(/[^/]+)+$" }, message: "must match pattern \"" + "^(/[^/]+)+$" + "\"" };
                                    if (vErrors === null) {
                                        vErrors = [err20];
                                    }
                                    else {
                                        vErrors.push(err20);
                                    }
                                    errors++;
                                }
                            }
                            else {
                                const err21 = { instancePath: instancePath + "/principal/userAssignedIdentity/" + i1, schemaPath: "#/properties/principal/properties/userAssignedIdentity/items/type", keyword: "type", params: { type: "string" }, message: "must be string" };
                                if (vErrors === null) {
                                    vErrors = [err21];
                                }
                                else {
                                    vErrors.push(err21);
                                }
                                errors++;
                            }
                        }
                    }
                    else {
                        const err22 = { instancePath: instancePath + "/principal/userAssignedIdentity", schemaPath: "#/properties/principal/properties/userAssignedIdentity/type", keyword: "type", params: { type: "array" }, message: "must be array" };
                        if (vErrors === null) {
                            vErrors = [err22];
                        }
                        else {
                            vErrors.push(err22);
                        }
                        errors++;
                    }
                }
                if (data6.clientId !== undefined && func0.call(data6, "clientId")) {
                    let data9 = data6.clientId;
                    if (Array.isArray(data9)) {
                        const len2 = data9.length;
                        for (let i2 = 0; i2 < len2; i2++) {
                            let data10 = data9[i2];
                            if (typeof data10 === "string") {
                                if (!pattern1.test(data10)) {
                                    const err23 = { instancePath: instancePath + "/principal/clientId/" + i2, schemaPath: "#/properties/principal/properties/clientId/items/pattern", keyword: "pattern", params: { pattern: "^(/[^/]+)+$" }, message: "must match pattern \"" + "^(/[^/]+)+$" + "\"" };
                                    if (vErrors === null) {
                                        vErrors = [err23];
                                    }
                                    else {
                                        vErrors.push(err23);
                                    }
                                    errors++;
                                }
                            }
                            else {
                                const err24 = { instancePath: instancePath + "/principal/clientId/" + i2, schemaPath: "#/properties/principal/properties/clientId/items/type", keyword: "type", params: { type: "string" }, message: "must be string" };
                                if (vErrors === null) {
                                    vErrors = [err24];
                                }
                                else {
                                    vErrors.push(err24);
                                }
                                errors++;
                            }
                        }
                    }
                    else {
                        const err25 = { instancePath: instancePath + "/principal/clientId", schemaPath: "#/properties/principal/properties/clientId/type", keyword: "type", params: { type: "array" }, message: "must be array" };
                        if (vErrors === null) {
                            vErrors = [err25];
                        }
                        else {
                            vErrors.push(err25);
                        }
                        errors++;
                    }
                }
            }
            else {
                const err26 = { instancePath: instancePath + "/principal", schemaPath: "#/properties/principal/type", keyword: "type", params: { type: "object" }, message: "must be object" };
                if (vErrors === null) {
                    vErrors = [err26];
                }
                else {
                    vErrors.push(err26);
                }
                errors++;
            }
        }
        if (data.grants !== undefined && func0.call(data, "grants")) {
            let data11 = data.grants;
            if (data11 && typeof data11 == "object" && !Array.isArray(data11)) {
                if (Object.keys(data11).length < 1) {
                    const err27 = { instancePath: instancePath + "/grants", schemaPath: "#/properties/grants/minProperties", keyword: "minProperties", params: { limit: 1 }, message: "must NOT have fewer than 1 properties" };
                    if (vErrors === null) {
                        vErrors = [err27];
                    }
                    else {
                        vErrors.push(err27);
                    }
                    errors++;
                }
                for (const key4 of Object.keys(data11)) {
                    if (!((((key4 === "rbacSwitch") || (key4 === "accessPolicy")) || (key4 === "roleAssignment")) || (key4 === "accessPolicyOnly"))) {
                        const err28 = { instancePath: instancePath + "/grants", schemaPath: "#/properties/grants/additionalProperties", keyword: "additionalProperties", params: { additionalProperty: key4 }, message: "must NOT have additional properties" };
                        if (vErrors === null) {
                            vErrors = [err28];
                        }
                        else {
                            vErrors.push(err28);
                        }
                        errors++;
                    }
                }
                if (data11.rbacSwitch !== undefined && func0.call(data11, "rbacSwitch")) {
                    let data12 = data11.rbacSwitch;
                    if (typeof data12 === "string") {
                        if (!pattern1.test(data12)) {
                            const err29 = { instancePath: instancePath + "/grants/rbacSwitch", schemaPath: "#/properties/grants/properties/rbacSwitch/pattern", keyword: "pattern", params: { pattern: "^(/[^/]+)+$" }, message: "must match pattern \"" + "^(/[^/]+)+$" + "\"" };
                            if (vErrors === null) {
                                vErrors = [err29];
                            }
                            else {
                                vErrors.push(err29);
                            }
                            errors++;
                        }
                    }
                    else {
                        const err30 = { instancePath: instancePath + "/grants/rbacSwitch", schemaPath: "#/properties/grants/properties/rbacSwitch/type", keyword: "type", params: { type: "string" }, message: "must be string" };
                        if (vErrors === null) {
                            vErrors = [err30];
                        }
                        else {
                            vErrors.push(err30);
                        }
                        errors++;
                    }
                }
                if (data11.accessPolicy !== undefined && func0.call(data11, "accessPolicy")) {
                    let data13 = data11.accessPolicy;
                    if ((!(data13 && typeof data13 == "object" && !Array.isArray(data13))) && (typeof data13 !== "boolean")) {
                        const err31 = { instancePath: instancePath + "/grants/accessPolicy", schemaPath: "#/properties/grants/properties/accessPolicy/type", keyword: "type", params: { type: schema0.properties.grants.properties.accessPolicy.type }, message: "must be object,boolean" };
                        if (vErrors === null) {
                            vErrors = [err31];
                        }
                        else {
                            vErrors.push(err31);
                        }
                        errors++;
                    }
                }
                if (data11.roleAssignment !== undefined && func0.call(data11, "roleAssignment")) {
                    let data14 = data11.roleAssignment;
                    if ((!(data14 && typeof data14 == "object" && !Array.isArray(data14))) && (typeof data14 !== "boolean")) {
                        const err32 = { instancePath: instancePath + "/grants/roleAssignment", schemaPath: "#/properties/grants/properties/roleAssignment/type", keyword: "type", params: { type: schema0.properties.grants.properties.roleAssignment.type }, message: "must be object,boolean" };
                        if (vErrors === null) {
                            vErrors = [err32];
                        }
                        else {
                            vErrors.push(err32);
                        }
                        errors++;
                    }
                }
                if (data11.accessPolicyOnly !== undefined && func0.call(data11, "accessPolicyOnly")) {
                    let data15 = data11.accessPolicyOnly;
                    if ((!(data15 && typeof data15 == "object" && !Array.isArray(data15))) && (typeof data15 !== "boolean")) {
                        const err33 = { instancePath: instancePath + "/grants/accessPolicyOnly", schemaPath: "#/properties/grants/properties/accessPolicyOnly/type", keyword: "type", params: { type: schema0.properties.grants.properties.accessPolicyOnly.type }, message: "must be object,boolean" };
                        if (vErrors === null) {
                            vErrors = [err33];
                        }
                        else {
                            vErrors.push(err33);
                        }
                        errors++;
                    }
                }
            }
            else {
                const err34 = { instancePath: instancePath + "/grants", schemaPath: "#/properties/grants/type", keyword: "type", params: { type: "object" }, message: "must be object" };
                if (vErrors === null) {
                    vErrors = [err34];
                }
                else {
                    vErrors.push(err34);
                }
                errors++;
            }
        }
    }
    else {
        const err35 = { instancePath, schemaPath: "#/type", keyword: "type", params: { type: "object" }, message: "must be object" };
        if (vErrors === null) {
            vErrors = [err35];
        }
        else {
            vErrors.push(err35);
        }
        errors++;
    } validate0.errors = vErrors; return errors === 0; }
    validate0.evaluated = { "props": true, "dynamicProps": false, "dynamicItems": false };
    return module.exports;
});
const metaSchemaId = "https://json-schema.org/draft/2020-12/schema";
/** JSON Schema 2020-12's meta-schema, checked as `createRuleAjv({ allErrors: true }).validateSchema` checks it. */
const metaSchema = () => ruleSchemas().metaSchema;
/** The rule-file meta-schema (src/rules/metaSchema.ts). */
const ruleFile = () => ruleFiles().ruleFile;
/** The pack-manifest meta-schema (src/rules/metaSchema.ts). */
const packFile = () => ruleFiles().packFile;
/** A relation rule's spec (src/pr/relationSpec.ts). */
const relationSpec = () => relationSpecs().relationSpec;


/***/ })

};
