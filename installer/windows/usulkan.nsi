; Usulkan for Windows: a per-user install into %LOCALAPPDATA%\Programs\Usulkan, no admin prompt.
;
; Build (on Windows, after `python installer\build.py`; see docs\install-windows.md):
;   makensis /DBUNDLE_DIR=dist\usulkan /DVERSION=0.1.0 /DOUTFILE=dist\Usulkan-0.1.0-setup.exe installer\windows\usulkan.nsi
; The test suite compiles it on Linux against the Linux bundle (/DEXE_NAME=usulkan /DFAST).
;
; The office's data is in %LOCALAPPDATA%\Usulkan (platformdirs), never in the program's folder:
; installing a newer version replaces the program only, and the uninstaller leaves the data.

Unicode true
RequestExecutionLevel user
ManifestDPIAware true

!ifndef BUNDLE_DIR
  !error "BUNDLE_DIR is not defined: /DBUNDLE_DIR=<the PyInstaller folder dist\usulkan>"
!endif
!ifndef VERSION
  !error "VERSION is not defined: /DVERSION=<x.y.z>"
!endif
!ifndef EXE_NAME
  !define EXE_NAME "usulkan.exe"
!endif
!ifndef OUTFILE
  !define OUTFILE "Usulkan-${VERSION}-setup.exe"
!endif
!if ! /FileExists "${BUNDLE_DIR}/${EXE_NAME}"
  !error "${BUNDLE_DIR}/${EXE_NAME} is missing: build the bundle first (python installer/build.py)"
!endif
!if ! /FileExists "${BUNDLE_DIR}/usulkan.ico"
  !error "${BUNDLE_DIR}/usulkan.ico is missing: installer/build.py writes it from resources/icons/usulkan.svg"
!endif

!ifdef FAST
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Usulkan"

Name "Usulkan"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Usulkan"
InstallDirRegKey HKCU "Software\Usulkan" "InstallDir"
BrandingText "Usulkan ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "Usulkan"
VIAddVersionKey /LANG=0 "FileDescription" "Usulkan installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "Dinas Sosial"
VIAddVersionKey /LANG=0 "LegalCopyright" "Dinas Sosial"

!include "MUI2.nsh"
!define MUI_ICON "${BUNDLE_DIR}/usulkan.ico"
!define MUI_UNICON "${BUNDLE_DIR}/usulkan.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Indonesian"
!insertmacro MUI_LANGUAGE "English"

LangString KeepsData ${LANG_INDONESIAN} "Data kantor di $LOCALAPPDATA\Usulkan tidak dihapus."
LangString KeepsData ${LANG_ENGLISH} "The office data in $LOCALAPPDATA\Usulkan is kept."

Section "Usulkan" SecMain
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  ; A newer version replaces the old program whole: no stale library of the old one is left to load.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE_DIR}/*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Usulkan.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\usulkan.ico" 0
  WriteRegStr HKCU "Software\Usulkan" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Usulkan"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Dinas Sosial"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\usulkan.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\Usulkan.lnk"
  ; Only the program's folder: the office data ($LOCALAPPDATA\Usulkan) and its backups stay.
  RMDir /r "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Usulkan"
  DetailPrint "$(KeepsData)"
SectionEnd
