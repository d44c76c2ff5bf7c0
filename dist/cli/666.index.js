export const id = 666;
export const ids = [666];
export const modules = {

/***/ 4666:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ajv2019: () => (/* binding */ Ajv2019),
/* harmony export */   Ajv2020: () => (/* binding */ Ajv2020),
/* harmony export */   EVENT_ID: () => (/* reexport safe */ js_yaml__WEBPACK_IMPORTED_MODULE_0__.hy),
/* harmony export */   RE2JS: () => (/* reexport safe */ re2js__WEBPACK_IMPORTED_MODULE_1__.L3),
/* harmony export */   YAMLException: () => (/* reexport safe */ js_yaml__WEBPACK_IMPORTED_MODULE_0__.tB),
/* harmony export */   constructFromEvents: () => (/* reexport safe */ js_yaml__WEBPACK_IMPORTED_MODULE_0__.fw),
/* harmony export */   getScalarValue: () => (/* reexport safe */ js_yaml__WEBPACK_IMPORTED_MODULE_0__.KE),
/* harmony export */   loadYaml: () => (/* reexport safe */ js_yaml__WEBPACK_IMPORTED_MODULE_0__.Hh),
/* harmony export */   parseEvents: () => (/* reexport safe */ js_yaml__WEBPACK_IMPORTED_MODULE_0__.PH)
/* harmony export */ });
/* harmony import */ var ajv_dist_2019_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(878);
/* harmony import */ var ajv_dist_2019_js__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(ajv_dist_2019_js__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2210);
/* harmony import */ var ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var js_yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3243);
/* harmony import */ var re2js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2856);
/**
 * What checking rules, schemas and configuration files written by users needs, and a short run with the
 * bundled pack does not (their results for the bundled pack are made at build time): ajv, js-yaml and RE2.
 * Loaded through `tooling` (./tooling.ts), never imported directly: a static import would load it at every start.
 */




const Ajv2019 = (ajv_dist_2019_js__WEBPACK_IMPORTED_MODULE_2___default()["default"]) ?? (ajv_dist_2019_js__WEBPACK_IMPORTED_MODULE_2___default());
const Ajv2020 = (ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_3___default()["default"]) ?? (ajv_dist_2020_js__WEBPACK_IMPORTED_MODULE_3___default());


/***/ })

};
